//! The message model every part of the gateway uses: a MAPI message as its
//! property bag, its recipient table and its attachment table, recursively
//! for embedded messages ([MS-OXCMSG] 2.2.1 message object, 2.2.2
//! attachment object; [MS-OXCDATA] 2.8.3 RecipientRow).
//!
//! The model carries no mailbox identity (no MID, no handle): the mailbox
//! layer fills it from RopGetPropertiesAll / RopReadRecipients /
//! attachment table + RopOpenAttachment (+ RopOpenEmbeddedMessage), with
//! named ids resolved ([`crate::bag`]), and the converters work on it
//! without any IO.

use std::borrow::Cow;

use mapi_wire::PropTag;

use crate::bag::PropertyBag;

/// A MAPI message ([MS-OXCMSG] 2.2.1): its properties, recipients and
/// attachments. Embedded messages ([`Attachment::embedded`]) are messages
/// too.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Message {
    /// The message's own properties (PidTagSubject, PidTagBody, PidTagHtml,
    /// PidTagTransportMessageHeaders, …).
    pub props: PropertyBag,
    /// The recipient table in row order ([MS-OXCMSG] 2.2.1.x, ROP
    /// RopReadRecipients): each row's properties, including
    /// PidTagRecipientType, PidTagDisplayName, PidTagEmailAddress,
    /// PidTagAddressType, PidTagSmtpAddress.
    pub recipients: Vec<Recipient>,
    /// The attachments in PidTagAttachNumber order ([MS-OXCMSG] 2.2.2).
    pub attachments: Vec<Attachment>,
}

/// One row of a message's recipient table ([MS-OXCMSG] 2.2.1.x,
/// [MS-OXCDATA] 2.8.3.2 RecipientRow).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recipient {
    /// The row's properties; PidTagRecipientType says To/Cc/Bcc.
    pub props: PropertyBag,
}

/// One attachment ([MS-OXCMSG] 2.2.2 Attachment Object).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attachment {
    /// The attachment's properties: PidTagAttachMethod,
    /// PidTagAttachDataBinary, PidTagAttachLongFilename,
    /// PidTagAttachMimeTag, PidTagAttachContentId, PidTagAttachFlags,
    /// PidTagAttachmentHidden, …
    pub props: PropertyBag,
    /// For PidTagAttachMethod = `afEmbeddedMessage` (5): the embedded
    /// message (RopOpenEmbeddedMessage, [MS-OXCMSG] 2.2.2.9).
    pub embedded: Option<Box<Message>>,
}

/// PidTagRecipientType ([MS-OXOMSG] 2.2.3.1): the low bits say where a
/// recipient goes; high flag bits (`P1`, `SUBMITTED`) may be set.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct RecipientType(pub u32);

impl RecipientType {
    /// `MAPI_ORIG` (0x00): the originator.
    pub const ORIGINATOR: Self = Self(0x0000_0000);
    /// `MAPI_TO` (0x01).
    pub const TO: Self = Self(0x0000_0001);
    /// `MAPI_CC` (0x02).
    pub const CC: Self = Self(0x0000_0002);
    /// `MAPI_BCC` (0x03).
    pub const BCC: Self = Self(0x0000_0003);
    /// Flag `MAPI_P1` (0x10000000): resend recipient.
    pub const P1_FLAG: u32 = 0x1000_0000;
    /// Flag `MAPI_SUBMITTED` (0x80000000).
    pub const SUBMITTED_FLAG: u32 = 0x8000_0000;

    /// The type without its flag bits (`ORIGINATOR`, `TO`, `CC`, `BCC`).
    pub fn base(self) -> Self {
        Self(self.0 & 0x0FFF_FFFF)
    }
}

impl std::fmt::Debug for RecipientType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self.base() {
            Self::ORIGINATOR => "ORIGINATOR",
            Self::TO => "TO",
            Self::CC => "CC",
            Self::BCC => "BCC",
            _ => return write!(f, "RecipientType({:#x})", self.0),
        };
        if self.0 == self.base().0 { f.write_str(name) } else { write!(f, "{name}|{:#x}", self.0 & 0xF000_0000) }
    }
}

/// PidTagAttachMethod ([MS-OXCMSG] 2.2.2.9): how the attachment's data is
/// stored. Unknown values are kept.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct AttachMethod(pub i32);

impl AttachMethod {
    /// `afNone` (0): no data.
    pub const NONE: Self = Self(0);
    /// `afByValue` (1): PidTagAttachDataBinary.
    pub const BY_VALUE: Self = Self(1);
    /// `afByReference` (2).
    pub const BY_REFERENCE: Self = Self(2);
    /// `afByReferenceOnly` (4).
    pub const BY_REFERENCE_ONLY: Self = Self(4);
    /// `afEmbeddedMessage` (5): an embedded message object.
    pub const EMBEDDED_MESSAGE: Self = Self(5);
    /// `afStorage` (6): PidTagAttachDataObject (an OLE storage).
    pub const STORAGE: Self = Self(6);
    /// `afByWebReference` (7).
    pub const BY_WEB_REFERENCE: Self = Self(7);
}

impl std::fmt::Debug for AttachMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match *self {
            Self::NONE => "NONE",
            Self::BY_VALUE => "BY_VALUE",
            Self::BY_REFERENCE => "BY_REFERENCE",
            Self::BY_REFERENCE_ONLY => "BY_REFERENCE_ONLY",
            Self::EMBEDDED_MESSAGE => "EMBEDDED_MESSAGE",
            Self::STORAGE => "STORAGE",
            Self::BY_WEB_REFERENCE => "BY_WEB_REFERENCE",
            _ => return write!(f, "AttachMethod({})", self.0),
        };
        f.write_str(name)
    }
}

/// PidTagAttachFlags bits ([MS-OXCMSG] 2.2.2.18).
#[derive(Debug)]
pub enum AttachFlags {}

impl AttachFlags {
    /// `ATT_INVISIBLE_IN_HTML` (0x1).
    pub const INVISIBLE_IN_HTML: i32 = 0x1;
    /// `ATT_INVISIBLE_IN_RTF` (0x2).
    pub const INVISIBLE_IN_RTF: i32 = 0x2;
    /// `ATT_MHTML_REF` (0x4): referenced by the HTML body (Content-ID or
    /// Content-Location).
    pub const MHTML_REF: i32 = 0x4;
}

impl Message {
    /// An empty message.
    pub fn new() -> Self {
        Self::default()
    }

    /// PidTagMessageClass ([MS-OXCMSG] 2.2.1.3), `IPM.Note` if absent.
    pub fn class(&self) -> Cow<'_, str> {
        self.props.non_empty_string(PropTag::MESSAGE_CLASS).unwrap_or(Cow::Borrowed("IPM.Note"))
    }

    /// True if the message class is `prefix` or starts with `prefix.`
    /// (ASCII case-insensitive, [MS-OXCMSG] 2.2.1.3).
    pub fn class_is(&self, prefix: &str) -> bool {
        let class = self.class();
        let c = class.as_bytes();
        let p = prefix.as_bytes();
        c.len() >= p.len()
            && c.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p))
            && (c.len() == p.len() || c.get(p.len()) == Some(&b'.'))
    }

    /// Recipients of one type (flag bits ignored), in table order.
    pub fn recipients_of(&self, ty: RecipientType) -> impl Iterator<Item = &Recipient> {
        self.recipients.iter().filter(move |r| r.recipient_type().base() == ty)
    }
}

impl Recipient {
    /// PidTagRecipientType ([MS-OXOMSG] 2.2.3.1); `TO` if absent.
    pub fn recipient_type(&self) -> RecipientType {
        self.props.i32(PropTag::RECIPIENT_TYPE).map_or(RecipientType::TO, |v| RecipientType(v as u32))
    }
}

impl Attachment {
    /// PidTagAttachMethod ([MS-OXCMSG] 2.2.2.9); `BY_VALUE` if absent.
    pub fn method(&self) -> AttachMethod {
        self.props.i32(PropTag::ATTACH_METHOD).map_or(AttachMethod::BY_VALUE, AttachMethod)
    }

    /// PidTagAttachFlags ([MS-OXCMSG] 2.2.2.18), 0 if absent.
    pub fn flags(&self) -> i32 {
        self.props.i32(PropTag::ATTACH_FLAGS).unwrap_or(0)
    }

    /// PidTagAttachmentHidden ([MS-OXCMSG] 2.2.2.24).
    pub fn hidden(&self) -> bool {
        self.props.bool(PropTag::ATTACHMENT_HIDDEN).unwrap_or(false)
    }

    /// PidTagAttachDataBinary ([MS-OXCMSG] 2.2.2.7), empty if absent.
    pub fn data(&self) -> &[u8] {
        self.props.binary(PropTag::ATTACH_DATA_BINARY).unwrap_or(&[])
    }

    /// The file name: PidTagAttachLongFilename, else PidTagAttachFilename,
    /// else PidTagDisplayName ([MS-OXCMSG] 2.2.2.10–2.2.2.13).
    pub fn filename(&self) -> Option<Cow<'_, str>> {
        self.props
            .non_empty_string(PropTag::ATTACH_LONG_FILENAME)
            .or_else(|| self.props.non_empty_string(PropTag::ATTACH_FILENAME))
            .or_else(|| self.props.non_empty_string(PropTag::DISPLAY_NAME))
    }
}
