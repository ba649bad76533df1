//! [MS-OXCMSG] message reads that need no property ROPs: RopOpenMessage's summary
//! (subject parts, recipient count and first recipient rows), all recipients via
//! RopReadRecipients (capture 020) and the attachment table (capture 018). The mailbox
//! layer converts the plain rows it returns.

use mapi_wire::ids::{FolderId, MessageId};
use mapi_wire::prop_value::{FlaggedValue, PropValue, PropertyRow, TaggedValue};
use mapi_wire::recipient::RecipientRow;
use mapi_wire::rop::{
    GetAttachmentTableRequest, MessageInfo, MessageOpenModeFlags, OpenMessageRequest, ReadRecipientsRequest,
    RecipientType, RopId, RopRequest, RopResponse, TableFlags,
};
use mapi_wire::{ErrorCode, PropTag};

use super::bulk::release;
use super::exec::check;
use super::store::{Mailbox, Repeat};
use super::table::Rows;
use super::{Error, Result};

/// CodePageId 0x0FFF: the logon's code page ([MS-OXCROPS] 2.2.6.1.1; corrections C §3.5.4).
pub const CODE_PAGE_LOGON: u16 = 0x0FFF;

/// One recipient of a message ([MS-OXCDATA] 2.8.3 RecipientRow with its type and row id).
#[derive(Clone, Debug, PartialEq)]
pub struct Recipient {
    /// RowId (0 for rows that came with RopOpenMessage and carry none).
    pub row_id: u32,
    /// To, Cc, Bcc (with flag bits).
    pub recipient_type: RecipientType,
    /// The parsed RecipientRow: fixed fields and, in `row.row`, the values of
    /// [`Recipient::columns`].
    pub row: RecipientRow,
    /// The tags of the row's optional properties (the RecipientColumns of
    /// RopOpenMessage, [MS-OXCROPS] 2.2.6.1.2; [MS-OXCDATA] 2.8.3.2 RecipientRow
    /// RecipientProperties are in this order).
    pub columns: Vec<PropTag>,
}

impl Recipient {
    /// The row's optional properties with their tags (PidTagSmtpAddress,
    /// PidTagRecipientDisplayName, PidTagObjectType…), without the columns the row
    /// left empty or flagged as errors.
    pub fn properties(&self) -> Vec<TaggedValue> {
        let values: Vec<Option<&PropValue>> = match &self.row.row {
            PropertyRow::Standard(v) => v.iter().map(Some).collect(),
            PropertyRow::Flagged(v) => v
                .iter()
                .map(|f| match f {
                    FlaggedValue::Value(v) => Some(v),
                    FlaggedValue::Missing | FlaggedValue::Error(_) => None,
                })
                .collect(),
        };
        self.columns
            .iter()
            .zip(values)
            .filter_map(|(tag, v)| match v? {
                PropValue::Error(_) => None,
                v => Some(TaggedValue { tag: *tag, value: v.clone() }),
            })
            .collect()
    }
}

pub(crate) fn open_message(slot: u8, folder: FolderId, mid: MessageId) -> RopRequest {
    RopRequest::OpenMessage(OpenMessageRequest {
        logon_id: 0,
        input_handle_index: 0,
        output_handle_index: slot,
        code_page_id: CODE_PAGE_LOGON,
        folder_id: folder,
        open_mode_flags: MessageOpenModeFlags::READ_ONLY,
        message_id: mid,
    })
}

fn message_info(r: &RopResponse) -> Result<&MessageInfo> {
    match r {
        RopResponse::OpenMessage(m) => {
            m.success.as_ref().ok_or(Error::Rop { rop: RopId::OPEN_MESSAGE, code: m.return_value })
        }
        other => Err(Error::Protocol(format!("expected RopOpenMessage, got {}", other.id()))),
    }
}

impl Mailbox {
    /// Every recipient of a message: RopOpenMessage + RopReadRecipients + RopRelease
    /// (capture 020), repeated from the next RowId while the server returns fewer rows
    /// than RecipientCount.
    pub async fn recipients(&self, folder: FolderId, mid: MessageId) -> Result<Vec<Recipient>> {
        let mut out: Vec<Recipient> = Vec::new();
        let mut next_row = 0u32;
        loop {
            let a = self
                .run(Repeat::Idempotent, 2, |_| {
                    vec![
                        open_message(1, folder, mid),
                        RopRequest::ReadRecipients(ReadRecipientsRequest {
                            logon_id: 0,
                            input_handle_index: 1,
                            row_id: next_row,
                            reserved: 0,
                        }),
                        release(1),
                    ]
                })
                .await?;
            let info = message_info(a.at(0)?)?;
            let total = usize::from(info.recipient_count);
            let columns = info.recipient_columns.clone();
            let rows = match a.at(1)? {
                RopResponse::ReadRecipients(r) if r.return_value == ErrorCode::NOT_FOUND => Vec::new(),
                RopResponse::ReadRecipients(r) => match &r.success {
                    Some(s) => s.rows.0.clone(),
                    None => return Err(Error::Rop { rop: RopId::READ_RECIPIENTS, code: r.return_value }),
                },
                other => return Err(Error::Protocol(format!("expected RopReadRecipients, got {}", other.id()))),
            };
            if rows.is_empty() {
                return Ok(out);
            }
            for r in rows {
                next_row = next_row.max(r.row_id.saturating_add(1));
                if let Some(row) = r.row.parse(&columns)? {
                    out.push(Recipient {
                        row_id: r.row_id,
                        recipient_type: r.recipient_type,
                        row,
                        columns: columns.clone(),
                    });
                }
            }
            if out.len() >= total {
                return Ok(out);
            }
        }
    }

    /// The attachment table of a message in one Execute: RopOpenMessage,
    /// RopGetAttachmentTable, RopSetColumns, RopQueryRows, Release ×2 (capture 018).
    pub async fn attachment_table(
        &self,
        folder: FolderId,
        mid: MessageId,
        columns: &[PropTag],
        max_rows: u16,
    ) -> Result<Rows> {
        let a = self
            .run(Repeat::Idempotent, 3, |_| {
                vec![
                    open_message(1, folder, mid),
                    RopRequest::GetAttachmentTable(GetAttachmentTableRequest {
                        logon_id: 0,
                        input_handle_index: 1,
                        output_handle_index: 2,
                        table_flags: TableFlags::USE_UNICODE,
                    }),
                    RopRequest::SetColumns(mapi_wire::rop::SetColumnsRequest {
                        logon_id: 0,
                        input_handle_index: 2,
                        flags: mapi_wire::rop::AsyncFlags::SYNC,
                        columns: columns.to_vec(),
                    }),
                    RopRequest::QueryRows(mapi_wire::rop::QueryRowsRequest {
                        logon_id: 0,
                        input_handle_index: 2,
                        flags: mapi_wire::rop::QueryRowsFlags::ADVANCE,
                        forward_read: true,
                        row_count: max_rows,
                    }),
                    release(2),
                    release(1),
                ]
            })
            .await?;
        for i in 0..3 {
            check(a.at(i)?)?;
        }
        let mut out = Rows { columns: columns.to_vec(), ..Rows::default() };
        match a.at(3)? {
            RopResponse::QueryRows(q) => match &q.success {
                Some(s) => {
                    out.rows = s.rows.clone();
                    out.at_end = s.origin == mapi_wire::rop::BookmarkOrigin::END || s.rows.is_empty();
                    out.total = u32::try_from(s.rows.len()).unwrap_or(u32::MAX);
                }
                None => return Err(Error::Rop { rop: RopId::QUERY_ROWS, code: q.return_value }),
            },
            other => return Err(Error::Protocol(format!("expected RopQueryRows, got {}", other.id()))),
        }
        Ok(out)
    }
}
