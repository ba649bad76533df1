//! Tests of the ROP layer: proptest round trips of every struct, known answers
//! from the digest's vectors and the gromox 3.10 captures.

mod arb;
mod captures;
mod props;
mod vectors;

/// The ROPs a cache may ignore are the reading ones: what an ICS download
/// and a message read send is read-only, anything that saves, moves,
/// flags or deletes is not, and so is an id the list does not name.
#[test]
fn reads_only_separates_reads_from_changes() {
    use super::RopId;
    for id in [
        RopId::LOGON,
        RopId::OPEN_FOLDER,
        RopId::SYNCHRONIZATION_CONFIGURE,
        RopId::SYNCHRONIZATION_UPLOAD_STATE_STREAM_BEGIN,
        RopId::FAST_TRANSFER_SOURCE_GET_BUFFER,
        RopId::OPEN_MESSAGE,
        RopId::GET_PROPERTIES_ALL,
        RopId::READ_RECIPIENTS,
        RopId::QUERY_ROWS,
        RopId::READ_STREAM,
        RopId::RELEASE,
    ] {
        assert!(id.reads_only(), "{id:?}");
    }
    for id in [
        RopId::SAVE_CHANGES_MESSAGE,
        RopId::SET_PROPERTIES,
        RopId::SET_READ_FLAGS,
        RopId::MOVE_COPY_MESSAGES,
        RopId::DELETE_MESSAGES,
        RopId::HARD_DELETE_MESSAGES,
        RopId::SUBMIT_MESSAGE,
        RopId::CREATE_FOLDER,
        RopId::EMPTY_FOLDER,
        RopId::SYNCHRONIZATION_IMPORT_MESSAGE_CHANGE,
        RopId::WRITE_AND_COMMIT_STREAM,
        RopId(0x62),
    ] {
        assert!(!id.reads_only(), "{id:?}");
    }
}
