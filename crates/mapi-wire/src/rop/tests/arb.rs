//! proptest strategies for the ROP types written by hand.

use proptest::{collection::vec, prelude::*};

use crate::{
    ErrorCode, Guid, PropTag, PropType,
    ids::{FolderId, GlobalCounter, LongTermId},
    prop_value::{FileTime, FlaggedValue, PropValue, PropertyRow, TaggedValue},
    restriction::{BitmapRelOp, FuzzyLevel, RelOp, Restriction},
    rop::{
        testkit::{self, Arb},
        *,
    },
    sort::{SortDirection, SortOrder, SortOrderSet},
};

impl<const N: usize> Arb for [FolderId; N] {
    fn arb() -> BoxedStrategy<Self> {
        vec(any::<u64>(), N).prop_map(|v| <[u64; N]>::try_from(v).unwrap_or([0; N]).map(FolderId)).boxed()
    }
}

impl Arb for LongTermId {
    fn arb() -> BoxedStrategy<Self> {
        (any::<[u8; 16]>(), any::<[u8; 6]>(), any::<u16>())
            .prop_map(|(g, c, pad)| Self { guid: Guid(g), counter: GlobalCounter(c), pad })
            .boxed()
    }
}

/// 8-bit non-NUL text (round-trips through ASCIIZ).
fn latin1() -> BoxedStrategy<String> {
    vec(1u8..=255, 0..12).prop_map(|b| b.iter().map(|&c| char::from(c)).collect()).boxed()
}

/// Any text without NUL (round-trips through UTF16Z).
fn unicode() -> BoxedStrategy<String> {
    "[^\u{0}]{0,10}".boxed()
}

impl Arb for ServerList {
    fn arb() -> BoxedStrategy<Self> {
        (any::<u16>(), vec(latin1(), 0..4)).prop_map(|(cheap_count, servers)| Self { cheap_count, servers }).boxed()
    }
}

impl Arb for LogonRequest {
    fn arb() -> BoxedStrategy<Self> {
        (any::<u8>(), any::<u8>(), any::<u8>(), any::<u32>(), any::<u32>(), proptest::option::of(latin1()))
            .prop_map(|(logon_id, output_handle_index, f, o, store_state, essdn)| Self {
                logon_id,
                output_handle_index,
                logon_flags: LogonFlags(f),
                open_flags: LogonOpenFlags(o),
                store_state,
                essdn,
            })
            .boxed()
    }
}

impl Arb for LogonResponse {
    fn arb() -> BoxedStrategy<Self> {
        let private = LogonPrivateSuccess::arb()
            .prop_map(|mut s| {
                s.logon_flags.0 |= 1;
                LogonResponseBody::Private(s)
            })
            .boxed();
        let public = LogonPublicSuccess::arb()
            .prop_map(|mut s| {
                s.logon_flags.0 &= !1;
                LogonResponseBody::Public(s)
            })
            .boxed();
        prop_oneof![
            (any::<u8>(), prop_oneof![private, public]).prop_map(|(h, b)| Self {
                handle_index: h,
                return_value: ErrorCode::SUCCESS,
                body: Some(b)
            }),
            (any::<u8>(), any::<u8>(), latin1()).prop_map(|(h, f, server_name)| Self {
                handle_index: h,
                return_value: ErrorCode::WRONG_SERVER,
                body: Some(LogonResponseBody::Redirect { logon_flags: LogonFlags(f), server_name }),
            }),
            (any::<u8>(), 1u32..).prop_filter("not 0x478", |(_, rv)| *rv != 0x478).prop_map(|(h, rv)| Self {
                handle_index: h,
                return_value: ErrorCode(rv),
                body: None
            }),
        ]
        .boxed()
    }
}

impl Arb for WritePerUserInformationRequest {
    fn arb() -> BoxedStrategy<Self> {
        (
            any::<u8>(),
            any::<u8>(),
            LongTermId::arb(),
            any::<bool>(),
            any::<u32>(),
            vec(any::<u8>(), 0..20),
            any::<[u8; 16]>(),
        )
            .prop_map(|(logon_id, input_handle_index, folder_id, has_finished, data_offset, data, g)| Self {
                logon_id,
                input_handle_index,
                folder_id,
                has_finished,
                data_offset,
                data,
                repl_guid: (data_offset == 0).then_some(Guid(g)),
            })
            .boxed()
    }
}

impl Arb for CreateFolderRequest {
    fn arb() -> BoxedStrategy<Self> {
        (
            any::<[u8; 3]>(),
            any::<u8>(),
            any::<bool>(),
            any::<bool>(),
            any::<u8>(),
            latin1(),
            latin1(),
            unicode(),
            unicode(),
        )
            .prop_map(|(h, folder_type, use_unicode, open_existing, reserved, a8, c8, a16, c16)| Self {
                logon_id: h[0],
                input_handle_index: h[1],
                output_handle_index: h[2],
                folder_type: FolderType(folder_type),
                use_unicode,
                open_existing,
                reserved,
                display_name: if use_unicode { a16 } else { a8 },
                comment: if use_unicode { c16 } else { c8 },
            })
            .boxed()
    }
}

impl<const ID: u8> Arb for MoveCopyFolderRequest<ID> {
    fn arb() -> BoxedStrategy<Self> {
        (any::<[u8; 3]>(), any::<[bool; 3]>(), any::<u64>(), latin1(), unicode())
            .prop_map(|(h, b, folder_id, n8, n16)| Self {
                logon_id: h[0],
                source_handle_index: h[1],
                dest_handle_index: h[2],
                want_asynchronous: b[0],
                want_recursive: b[1] && ID == RopId::COPY_FOLDER.0,
                use_unicode: b[2],
                folder_id: FolderId(folder_id),
                new_folder_name: if b[2] { n16 } else { n8 },
            })
            .boxed()
    }
}

impl<const ID: u8> Arb for MoveCopyResponse<ID> {
    fn arb() -> BoxedStrategy<Self> {
        (any::<u8>(), prop_oneof![Just(0u32), Just(0x503u32), any::<u32>()], any::<u32>(), any::<bool>())
            .prop_map(|(handle_index, rv, d, partial_completion)| Self {
                handle_index,
                return_value: ErrorCode(rv),
                dest_handle_index: (rv == 0x503).then_some(d),
                partial_completion,
            })
            .boxed()
    }
}

impl Arb for TypedString {
    fn arb() -> BoxedStrategy<Self> {
        prop_oneof![
            Just(Self::Absent),
            Just(Self::Empty),
            vec(1u8..=255, 0..10).prop_map(Self::String8),
            latin1().prop_map(Self::ReducedUnicode),
            unicode().prop_map(Self::Unicode),
        ]
        .boxed()
    }
}

impl Arb for RecipientRowBytes {
    fn arb() -> BoxedStrategy<Self> {
        vec(any::<u8>(), 0..24).prop_map(Self).boxed()
    }
}

impl Arb for OpenRecipientRows {
    fn arb() -> BoxedStrategy<Self> {
        vec(OpenRecipientRow::arb(), 0..4).prop_map(Self).boxed()
    }
}

impl Arb for ReadRecipientRows {
    fn arb() -> BoxedStrategy<Self> {
        vec(ReadRecipientRow::arb(), 0..4).prop_map(Self).boxed()
    }
}

impl Arb for GetMessageStatusResponse {
    fn arb() -> BoxedStrategy<Self> {
        SetMessageStatusResponse::arb()
            .prop_map(|s| Self { handle_index: s.handle_index, return_value: s.return_value, success: s.success })
            .boxed()
    }
}

impl Arb for SetMessageReadFlagRequest {
    fn arb() -> BoxedStrategy<Self> {
        any::<[u8; 4]>()
            .prop_map(|h| Self {
                logon_id: h[0],
                response_handle_index: h[1],
                input_handle_index: h[2],
                read_flags: ReadFlags(h[3]),
                client_data: None,
            })
            .boxed()
    }
}

impl Arb for SetMessageReadFlagResponse {
    fn arb() -> BoxedStrategy<Self> {
        testkit::response_strategy(any::<bool>().boxed())
            .prop_map(|(handle_index, return_value, read_status_changed)| Self {
                handle_index,
                return_value,
                read_status_changed,
                public_client: None,
            })
            .boxed()
    }
}

impl Arb for GetAddressTypesSuccess {
    fn arb() -> BoxedStrategy<Self> {
        vec(latin1(), 0..5).prop_map(|address_types| Self { address_types }).boxed()
    }
}

impl Arb for OptionsDataSuccess {
    fn arb() -> BoxedStrategy<Self> {
        (any::<u8>(), vec(any::<u8>(), 0..10), vec(any::<u8>(), 0..10), latin1())
            .prop_map(|(reserved, options_info, help_file, name)| Self {
                reserved,
                help_file_name: (!help_file.is_empty()).then_some(name),
                options_info,
                help_file,
            })
            .boxed()
    }
}

impl Arb for BufferTooSmallResponse {
    fn arb() -> BoxedStrategy<Self> {
        (any::<u16>(), vec(any::<u8>(), 0..30))
            .prop_map(|(size_needed, request_buffers)| Self { size_needed, request_buffers })
            .boxed()
    }
}

/// A column type and a strategy for its values (no floats, so rows compare equal).
fn arb_column_value(ty: u16) -> BoxedStrategy<PropValue> {
    match ty {
        0x0003 => any::<i32>().prop_map(PropValue::I32).boxed(),
        0x0014 => any::<i64>().prop_map(PropValue::I64).boxed(),
        0x000B => any::<bool>().prop_map(PropValue::Bool).boxed(),
        0x001E => vec(1u8..=255, 0..8).prop_map(PropValue::String8).boxed(),
        0x001F => unicode().prop_map(PropValue::String).boxed(),
        0x0040 => any::<u64>().prop_map(|t| PropValue::Time(FileTime(t))).boxed(),
        _ => vec(any::<u8>(), 0..8).prop_map(PropValue::Binary).boxed(),
    }
}

const COLUMN_TYPES: [u16; 7] = [0x0003, 0x0014, 0x000B, 0x001E, 0x001F, 0x0040, 0x0102];

/// A row in `columns`, standard or flagged.
pub(crate) fn arb_row(columns: &[PropTag]) -> BoxedStrategy<PropertyRow> {
    let values: Vec<_> = columns.iter().map(|c| arb_column_value(c.prop_type().0)).collect();
    let flagged: Vec<_> = columns
        .iter()
        .map(|c| {
            prop_oneof![
                arb_column_value(c.prop_type().0).prop_map(FlaggedValue::Value),
                Just(FlaggedValue::Missing),
                any::<u32>().prop_map(|e| FlaggedValue::Error(ErrorCode(e))),
            ]
            .boxed()
        })
        .collect();
    prop_oneof![values.prop_map(PropertyRow::Standard), flagged.prop_map(PropertyRow::Flagged)].boxed()
}

/// Columns of the supported types.
pub(crate) fn arb_columns() -> BoxedStrategy<Vec<PropTag>> {
    vec((0usize..COLUMN_TYPES.len(), 1u16..0x7FFF), 0..5)
        .prop_map(|cols| cols.into_iter().map(|(t, id)| PropTag::new(id, PropType(COLUMN_TYPES[t]))).collect())
        .boxed()
}

/// Columns and up to `max` rows in them.
pub(crate) fn arb_rows(max: usize) -> BoxedStrategy<(Vec<PropTag>, Vec<PropertyRow>)> {
    arb_columns().prop_flat_map(move |cols| (Just(cols.clone()), vec(arb_row(&cols), 0..=max))).boxed()
}

fn arb_tagged() -> BoxedStrategy<TaggedValue> {
    (0usize..COLUMN_TYPES.len(), 1u16..0x7FFF)
        .prop_flat_map(|(t, id)| {
            let tag = PropTag::new(id, PropType(COLUMN_TYPES[t]));
            arb_column_value(COLUMN_TYPES[t]).prop_map(move |value| TaggedValue { tag, value })
        })
        .boxed()
}

impl Arb for Restriction {
    fn arb() -> BoxedStrategy<Self> {
        let leaf = prop_oneof![
            any::<u32>().prop_map(|t| Self::Exist { tag: PropTag(t) }),
            (0u8..7, arb_tagged()).prop_map(|(op, value)| Self::Property { op: RelOp(op), tag: value.tag, value }),
            (any::<[u16; 2]>(), arb_tagged()).prop_map(|(f, value)| Self::Content {
                fuzzy: FuzzyLevel { low: f[0], high: f[1] },
                tag: value.tag,
                value
            }),
            (0u8..2, any::<u32>(), any::<u32>()).prop_map(|(op, t, mask)| Self::Bitmask {
                op: BitmapRelOp(op),
                tag: PropTag(t),
                mask
            }),
            (0u8..7, any::<u32>(), any::<u32>()).prop_map(|(op, t, size)| Self::Size {
                op: RelOp(op),
                tag: PropTag(t),
                size
            }),
        ];
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..3).prop_map(Self::And),
                vec(inner.clone(), 0..3).prop_map(Self::Or),
                inner.prop_map(|r| Self::Not(Box::new(r))),
            ]
        })
        .boxed()
    }
}

impl Arb for SortOrderSet {
    fn arb() -> BoxedStrategy<Self> {
        vec((any::<u32>(), prop_oneof![Just(0u8), Just(1), Just(4)]), 0..5)
            .prop_flat_map(|orders| {
                let n = orders.len() as u16;
                (Just(orders), 0..=n)
                    .prop_flat_map(|(orders, categorized)| (Just(orders), Just(categorized), 0..=categorized))
            })
            .prop_map(|(orders, categorized, expanded)| Self {
                categorized,
                expanded,
                orders: orders
                    .into_iter()
                    .map(|(t, o)| SortOrder { tag: PropTag(t), order: SortDirection(o) })
                    .collect(),
            })
            .boxed()
    }
}

impl Arb for GetReceiveFolderTableSuccess {
    fn arb() -> BoxedStrategy<Self> {
        vec(arb_row(&RECEIVE_FOLDER_TABLE_COLUMNS), 0..3).prop_map(|rows| Self { rows }).boxed()
    }
}

impl Arb for TransportSendSuccess {
    fn arb() -> BoxedStrategy<Self> {
        proptest::option::of(vec(arb_tagged(), 0..4)).prop_map(|properties| Self { properties }).boxed()
    }
}

impl Arb for QueryRowsResponse {
    fn arb() -> BoxedStrategy<Self> {
        let success = (any::<u8>(), arb_rows(3))
            .prop_map(|(o, (columns, rows))| QueryRowsSuccess { origin: BookmarkOrigin(o), rows, columns })
            .boxed();
        testkit::response_strategy(success)
            .prop_map(|(handle_index, return_value, success)| Self { handle_index, return_value, success })
            .boxed()
    }
}

impl Arb for FindRowResponse {
    fn arb() -> BoxedStrategy<Self> {
        let success = (any::<bool>(), arb_columns())
            .prop_flat_map(|(v, columns)| (Just(v), proptest::option::of(arb_row(&columns)), Just(columns)))
            .prop_map(|(row_no_longer_visible, row, columns)| FindRowSuccess { row_no_longer_visible, row, columns })
            .boxed();
        testkit::response_strategy(success)
            .prop_map(|(handle_index, return_value, success)| Self { handle_index, return_value, success })
            .boxed()
    }
}

impl Arb for ExpandRowResponse {
    fn arb() -> BoxedStrategy<Self> {
        let success = (any::<u32>(), arb_rows(3))
            .prop_map(|(expanded_row_count, (columns, rows))| ExpandRowSuccess { expanded_row_count, rows, columns })
            .boxed();
        testkit::response_strategy(success)
            .prop_map(|(handle_index, return_value, success)| Self { handle_index, return_value, success })
            .boxed()
    }
}
