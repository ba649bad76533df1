//! multipart/report → report messages ([MS-OXCMAIL] 2.2.3.3 reports;
//! classes per [MS-OXOMSG] report messages): delivery status notifications
//! (RFC 3464) become `REPORT.IPM.Note.NDR` / `.DR` / `.Delayed` with one
//! recipient row per reported recipient, disposition notifications
//! (RFC 8098) become `REPORT.IPM.Note.IPNRN` / `.IPNNRN`.
//!
//! The machine-readable part is also kept as a hidden attachment, byte for
//! byte, so nothing of the report is lost (the properties hold only the
//! fields MAPI has).

use mail_parser::{MessagePart, PartType};
use mapi_wire::PropTag;
use mapi_wire::prop_value::{FileTime, PropValue};

use super::address::{self, Mailbox};
use super::insert;
use super::parts::{Build, Converter, MpMessage, child_path, content_type, decoded_bytes};
use crate::error::ConvertError;
use crate::message::RecipientType;

/// The fields of one RFC 3464 / RFC 8098 field block (lower-case names,
/// unfolded values).
type Block = Vec<(String, String)>;

impl Converter<'_> {
    /// Converts the children of a multipart/report root.
    pub(crate) fn report(
        &mut self,
        mp: &MpMessage<'_>,
        b: &mut Build,
        root: &MessagePart<'_>,
        path: &str,
        depth: usize,
    ) -> Result<(), ConvertError> {
        let PartType::Multipart(children) = &root.body else {
            return self.walk(mp, b, 0, path, true, 0, depth, None);
        };
        let root_ct = content_type(root, None);
        for (i, c) in children.iter().enumerate() {
            let p = child_path(path, i);
            let Some(part) = mp.parts.get(*c as usize) else { continue };
            let ct = content_type(part, Some(&root_ct));
            let machine = if ct.is("message", "delivery-status") || ct.is("message", "global-delivery-status") {
                let blocks = blocks(&decoded_bytes(mp, part));
                self.delivery_status(b, &blocks);
                true
            } else if ct.is("message", "disposition-notification")
                || ct.is("message", "global-disposition-notification")
            {
                let blocks = blocks(&decoded_bytes(mp, part));
                disposition(b, &blocks);
                true
            } else {
                false
            };
            if machine {
                // Kept byte for byte (fields the properties do not hold:
                // Original-Recipient, Arrival-Date, X-… fields, Reporting-UA)
                // as a hidden attachment: a MIME writer can emit it instead
                // of regenerating the part from the properties.
                let mut a = self.attachment(mp, part, &ct);
                insert(&mut a.props, PropTag::ATTACHMENT_HIDDEN, PropValue::Bool(true));
                b.msg.attachments.push(a);
                continue;
            }
            self.walk(mp, b, *c, &p, i == 0, 1, depth, Some(&root_ct))?;
        }
        Ok(())
    }

    /// RFC 3464: class from the actions, one recipient row per
    /// per-recipient block ([MS-OXCMAIL] 2.2.3.3 delivery status).
    fn delivery_status(&mut self, b: &mut Build, blocks: &[Block]) {
        let per_message = blocks.first();
        if let Some(mta) = per_message.and_then(|m| field(m, "reporting-mta")) {
            insert(&mut b.msg.props, PropTag::REPORTING_MESSAGE_TRANSFER_AGENT, PropValue::String(mta.to_owned()));
        }
        let mut failed = false;
        let mut delayed = false;
        let mut rows = Vec::new();
        for blk in blocks.iter().skip(1) {
            let Some(fin) = field(blk, "final-recipient") else { continue };
            let addr = fin.split_once(';').map_or(fin, |(_, a)| a).trim().trim_matches(['<', '>']).to_owned();
            let action = field(blk, "action").unwrap_or("").to_ascii_lowercase();
            failed |= action == "failed";
            delayed |= action == "delayed";
            let m = Mailbox { name: addr.clone(), address: addr };
            let mut r = address::recipient(&m, RecipientType::TO);
            let p = &mut r.props;
            if let Some(status) = field(blk, "status") {
                let digits: String =
                    status.chars().take_while(|c| !c.is_whitespace()).filter(char::is_ascii_digit).collect();
                if let Ok(n) = digits.parse::<i32>() {
                    insert(p, PropTag::NON_DELIVERY_REPORT_STATUS_CODE, PropValue::I32(n));
                }
            }
            if action == "failed" {
                // MAPI_REASON_TRANSFER_FAILED (0), MAPI_DIAG_NO_DIAGNOSTIC (-1).
                insert(p, PropTag::NON_DELIVERY_REPORT_REASON_CODE, PropValue::I32(0));
                insert(p, PropTag::NON_DELIVERY_REPORT_DIAG_CODE, PropValue::I32(-1));
            }
            if let Some(d) = field(blk, "diagnostic-code") {
                insert(p, PropTag::SUPPLEMENTARY_INFO, PropValue::String(d.to_owned()));
            }
            if let Some(r) = field(blk, "remote-mta") {
                insert(p, PropTag::REMOTE_MESSAGE_TRANSFER_AGENT, PropValue::String(r.to_owned()));
            }
            let when = field(blk, "last-attempt-date").or_else(|| per_message.and_then(|m| field(m, "arrival-date")));
            if let Some(t) = when.and_then(time_of) {
                insert(p, PropTag::REPORT_TIME, PropValue::Time(t));
            }
            rows.push(r);
        }
        let class = if failed {
            "REPORT.IPM.Note.NDR"
        } else if delayed {
            "REPORT.IPM.Note.Delayed"
        } else {
            "REPORT.IPM.Note.DR"
        };
        insert(&mut b.msg.props, PropTag::MESSAGE_CLASS, PropValue::String(class.into()));
        if !rows.is_empty() {
            // [MS-OXOMSG] reports: a report's recipient table lists the
            // recipients reported on; the report's own To stays in
            // PidTagTransportMessageHeaders.
            b.msg.recipients = rows;
        }
    }
}

/// RFC 8098 disposition notification → IPNRN / IPNNRN.
fn disposition(b: &mut Build, blocks: &[Block]) {
    let Some(blk) = blocks.first() else { return };
    let disp = field(blk, "disposition").unwrap_or("");
    let (mode, kind) = disp.split_once(';').map_or(("", disp), |(m, k)| (m.trim(), k.trim()));
    let kind = kind.split('/').next().unwrap_or("").trim().to_ascii_lowercase();
    let class = if kind == "displayed" { "REPORT.IPM.Note.IPNRN" } else { "REPORT.IPM.Note.IPNNRN" };
    let props = &mut b.msg.props;
    insert(props, PropTag::MESSAGE_CLASS, PropValue::String(class.into()));
    if !kind.is_empty() {
        insert(props, PropTag::REPORT_DISPOSITION, PropValue::String(kind));
    }
    if !mode.is_empty() {
        insert(props, PropTag::REPORT_DISPOSITION_MODE, PropValue::String(mode.to_owned()));
    }
    if let Some(id) = field(blk, "original-message-id") {
        insert(props, PropTag::ORIGINAL_MESSAGE_ID, PropValue::String(id.to_owned()));
    }
    if let Some(fin) = field(blk, "final-recipient") {
        let addr = fin.split_once(';').map_or(fin, |(_, a)| a).trim();
        insert(props, PropTag::ORIGINAL_DISPLAY_TO, PropValue::String(addr.to_owned()));
    }
}

fn field<'a>(blk: &'a Block, name: &str) -> Option<&'a str> {
    blk.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn time_of(v: &str) -> Option<FileTime> {
    let d = mail_parser::DateTime::parse_rfc822(v.trim())?;
    d.is_valid().then(|| FileTime::from_unix_seconds(d.to_timestamp())).flatten()
}

/// Splits an RFC 3464 body into field blocks (blank-line separated,
/// folded lines joined).
fn blocks(data: &[u8]) -> Vec<Block> {
    let text = crate::bag::decode_string8(data);
    let mut out: Vec<Block> = Vec::new();
    let mut cur: Block = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = cur.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((n, v)) = line.split_once(':') {
            cur.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_blocks() {
        let b = blocks(b"Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; a@b\r\nDiagnostic-Code: smtp; 550\r\n  user unknown\r\n");
        assert_eq!(b.len(), 2);
        assert_eq!(field(&b[1], "diagnostic-code"), Some("smtp; 550 user unknown"));
    }
}
