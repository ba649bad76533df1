//! Receiving the message: DATA (RFC 5321 §4.1.1.4, dot-unstuffing per
//! §4.5.2) and BDAT chunks (RFC 3030 §2), with the size limit enforced as
//! the bytes arrive. Past the limit the rest of the message is read and
//! dropped (the client is told 552 at the end), so memory never holds more
//! than the limit.

use smtp_proto::request::receiver::{BdatReceiver, DummyDataReceiver};

use super::{Envelope, Event, Session, State};

/// What is being read.
pub(crate) enum BodyState {
    /// DATA, kept.
    Data(DotReader),
    /// DATA past the size limit, dropped up to the final dot.
    DataDiscard(DotReader),
    /// A BDAT chunk, kept.
    Bdat(BdatReceiver),
    /// A BDAT chunk that is refused, dropped; the reply follows its last
    /// byte (RFC 3030 §2: the chunk is read even when refused).
    BdatRefused { receiver: DummyDataReceiver, last: bool, code: u16, esc: [u8; 3], text: String },
}

impl std::fmt::Debug for BodyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Data(_) => "Data",
            Self::DataDiscard(_) => "DataDiscard",
            Self::Bdat(_) => "Bdat",
            Self::BdatRefused { .. } => "BdatRefused",
        })
    }
}

impl Session {
    /// The DATA command.
    pub(super) fn data(&mut self) {
        let Some(txn) = self.transaction.as_ref() else {
            return self.reply(503, [5, 5, 1], "Need MAIL command");
        };
        if txn.recipients.is_empty() {
            // RFC 2920 §3.1: pipelined DATA after failed RCPTs.
            return self.reply(554, [5, 5, 1], "No valid recipients");
        }
        if txn.chunked {
            return self.reply(503, [5, 5, 1], "DATA not allowed after BDAT");
        }
        self.reply_plain(354, "Start mail input; end with <CRLF>.<CRLF>");
        self.state = State::Body(BodyState::Data(DotReader::new()));
    }

    /// The BDAT command.
    pub(super) fn bdat(&mut self, chunk_size: usize, last: bool) {
        let limit = self.config.max_message_size;
        let refusal = match self.transaction.as_mut() {
            None => Some((503, [5, 5, 1], "Need MAIL command".to_owned())),
            Some(txn) if txn.recipients.is_empty() => Some((554, [5, 5, 1], "No valid recipients".to_owned())),
            Some(txn) if txn.too_large || txn.message.len().saturating_add(chunk_size) > limit => {
                txn.too_large = true;
                txn.message = Vec::new();
                Some((552, [5, 3, 4], format!("Message exceeds the limit of {limit} octets")))
            }
            Some(txn) => {
                txn.chunked = true;
                None
            }
        };
        self.state = State::Body(match refusal {
            None => BodyState::Bdat(BdatReceiver::new(chunk_size, last)),
            Some((code, esc, text)) => {
                BodyState::BdatRefused { receiver: DummyDataReceiver::new_bdat(chunk_size), last, code, esc, text }
            }
        });
    }

    /// Consumes body bytes; `Some` when the driver must act.
    pub(super) fn receive_body(&mut self) -> Option<Event> {
        let limit = self.config.max_message_size;
        let State::Body(body) = &mut self.state else { return None };
        match body {
            BodyState::Data(receiver) => {
                let txn = self.transaction.as_mut()?;
                // Feed at most what keeps the message within the limit (plus
                // the CR of a terminator split across reads).
                let room = (limit + 2).saturating_sub(txn.message.len()).max(1);
                let take = self.input.len().min(room);
                let (consumed, done) = receiver.ingest(&self.input[..take], Some(&mut txn.message));
                self.input.drain(..consumed);
                if done {
                    return self.message_complete();
                }
                if txn.message.len() > limit + 1 {
                    *body = BodyState::DataDiscard(*receiver);
                    txn.too_large = true;
                    txn.message = Vec::new();
                    return None;
                }
                self.input.is_empty().then_some(Event::NeedInput)
            }
            BodyState::DataDiscard(receiver) => {
                let (consumed, done) = receiver.ingest(&self.input, None);
                self.input.drain(..consumed);
                if done { self.message_complete() } else { Some(Event::NeedInput) }
            }
            BodyState::Bdat(receiver) => {
                let txn = self.transaction.as_mut()?;
                let mut bytes = self.input.iter();
                let done = receiver.ingest(&mut bytes, &mut txn.message);
                let consumed = self.input.len() - bytes.as_slice().len();
                self.input.drain(..consumed);
                if !done {
                    return Some(Event::NeedInput);
                }
                if receiver.is_last {
                    return self.message_complete();
                }
                let text = format!("{} octets received", txn.message.len());
                self.state = State::Command;
                self.reply(250, [2, 0, 0], &text);
                None
            }
            BodyState::BdatRefused { receiver, last, code, esc, text } => {
                let mut bytes = self.input.iter();
                let done = receiver.ingest(&mut bytes);
                let consumed = self.input.len() - bytes.as_slice().len();
                self.input.drain(..consumed);
                if !done {
                    return Some(Event::NeedInput);
                }
                let (code, esc, text, last) = (*code, *esc, std::mem::take(text), *last);
                if last {
                    self.transaction = None;
                }
                self.state = State::Command;
                self.reply(code, esc, &text);
                None
            }
        }
    }

    /// The whole message is in: refuse it when too large, else hand it to
    /// the driver.
    fn message_complete(&mut self) -> Option<Event> {
        let limit = self.config.max_message_size;
        let txn = self.transaction.take()?;
        if txn.too_large || txn.message.len() > limit {
            self.state = State::Command;
            self.reply(552, [5, 3, 4], &format!("Message exceeds the limit of {limit} octets"));
            return None;
        }
        self.state = State::Waiting;
        Some(Event::Submit(Envelope { mail_from: txn.mail_from, recipients: txn.recipients, message: txn.message }))
    }
}

/// DATA framing: RFC 5321 §4.1.1.4 (the message ends at a line that is
/// exactly "."), §4.5.2 (a leading dot of any other line is removed) and
/// §2.3.8 (only CRLF ends a line). smtp-proto's `DataReceiver` also ends the
/// message at `CRLF . CR CR LF`, a line that is data: a message would be cut
/// short and the rest of it read as commands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DotReader {
    at: LinePos,
}

#[derive(Debug, Clone, Copy)]
enum LinePos {
    Text,
    /// After a CR.
    Cr,
    /// After CRLF (or the DATA command's).
    LineStart,
    /// After a dot at a line start (not kept).
    Dot,
    /// After "." CR at a line start (the CR not kept yet).
    DotCr,
}

impl DotReader {
    /// Starts right after the DATA line, at the start of a line: a first line
    /// ".." is unstuffed and an empty message ends at its ".".
    pub(crate) fn new() -> Self {
        Self { at: LinePos::LineStart }
    }

    /// Reads `input` up to the end of the message, giving the message bytes
    /// to `message` (none when discarding); returns the bytes consumed and
    /// whether the end was reached.
    pub(crate) fn ingest(&mut self, input: &[u8], mut message: Option<&mut Vec<u8>>) -> (usize, bool) {
        let mut keep = |bytes: &[u8]| {
            if let Some(m) = message.as_deref_mut() {
                m.extend_from_slice(bytes);
            }
        };
        for (i, &b) in input.iter().enumerate() {
            self.at = match (self.at, b) {
                (LinePos::DotCr, b'\n') => {
                    self.at = LinePos::LineStart;
                    return (i + 1, true);
                }
                (LinePos::LineStart, b'.') => LinePos::Dot,
                (LinePos::Dot, b'\r') => LinePos::DotCr,
                (LinePos::DotCr, _) => {
                    keep(&[b'\r', b]);
                    after_cr(b)
                }
                (LinePos::Cr, _) => {
                    keep(&[b]);
                    after_cr(b)
                }
                (LinePos::Text | LinePos::LineStart | LinePos::Dot, _) => {
                    keep(&[b]);
                    if b == b'\r' { LinePos::Cr } else { LinePos::Text }
                }
            };
        }
        (input.len(), false)
    }
}

fn after_cr(b: u8) -> LinePos {
    match b {
        b'\n' => LinePos::LineStart,
        b'\r' => LinePos::Cr,
        _ => LinePos::Text,
    }
}
