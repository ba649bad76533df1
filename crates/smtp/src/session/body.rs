//! Receiving the message: DATA (RFC 5321 §4.1.1.4, dot-unstuffing per
//! §4.5.2) and BDAT chunks (RFC 3030 §2), with the size limit enforced as
//! the bytes arrive. Past the limit the rest of the message is read and
//! dropped (the client is told 552 at the end), so memory never holds more
//! than the limit.

use smtp_proto::request::receiver::{BdatReceiver, DataReceiver, DummyDataReceiver};

use super::{Envelope, Event, Session, State};

/// What is being read.
pub(crate) enum BodyState {
    /// DATA, kept.
    Data(DataReceiver),
    /// DATA past the size limit, dropped up to the final dot.
    DataDiscard(DummyDataReceiver),
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
        let mut receiver = DataReceiver::new();
        // The receiver recognises a dot only after CRLF; the body starts
        // right after one (the DATA line's), so a first line ".." is
        // unstuffed and an empty message ends at its ".".
        let _ = receiver.ingest(&mut b"\r\n".iter(), &mut Vec::new());
        self.reply_plain(354, "Start mail input; end with <CRLF>.<CRLF>");
        self.state = State::Body(BodyState::Data(receiver));
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
                let mut bytes = self.input[..take].iter();
                let done = receiver.ingest(&mut bytes, &mut txn.message);
                let consumed = take - bytes.as_slice().len();
                self.input.drain(..consumed);
                if done {
                    return self.message_complete();
                }
                if txn.message.len() > limit + 1 {
                    *body = BodyState::DataDiscard(DummyDataReceiver::new_data(receiver));
                    txn.too_large = true;
                    txn.message = Vec::new();
                    return None;
                }
                self.input.is_empty().then_some(Event::NeedInput)
            }
            BodyState::DataDiscard(receiver) => {
                let mut bytes = self.input.iter();
                let done = receiver.ingest(&mut bytes);
                let consumed = self.input.len() - bytes.as_slice().len();
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
