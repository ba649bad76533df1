//! Deterministic demo content: `seed(&store, &SeedOptions { .. })` creates
//! the demo users (password `demo`), the shared mailbox
//! `team@example.test` (alice has full access and send-as, bob neither)
//! and, per user:
//! * mail in Inbox and Sent Items (plain and HTML bodies, attachments, an
//!   inline image, non-ASCII subjects and names, threads with
//!   In-Reply-To/References, flags, read/unread, categories) and Drafts;
//! * calendar items ([`calendar`]): single, all-day, weekly with a moved
//!   and a cancelled occurrence, and a meeting between the demo users,
//!   in three time zones;
//! * contacts with photo, a distribution list, tasks and notes
//!   ([`contacts`]).
//!
//! The same options give the same content (ids, named-property mapping and
//! every stored value except the store's own change times).

pub mod calendar;
pub mod contacts;
pub mod directory;
pub mod meeting;

use mapi_wire::named::PropertyName;
use mapi_wire::prop_value::{FileTime, PropValue};
use mapi_wire::tags::{NamedKind, NamedProp};
use mapi_wire::{Guid, PropTag, PropType};

use crate::store::{
    Attachment, Mailbox, MessageContent, NewMailbox, PropBag, SaveMode, SpecialFolder, Store, StoreError, StoreResult,
};

/// What to seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedOptions {
    /// User names (`alice` → alice@example.test) or full addresses.
    pub users: Vec<String>,
    /// Messages per user (Inbox and Sent Items together).
    pub messages: u32,
    /// The PRNG seed.
    pub seed: u64,
}

impl Default for SeedOptions {
    fn default() -> Self {
        Self { users: vec!["alice".into(), "bob".into()], messages: 20, seed: 1 }
    }
}

/// What [`seed`] created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Messages saved in Inbox and Sent Items (all users).
    pub messages: u32,
    /// Drafts saved (all users).
    pub drafts: u32,
    /// Contacts and distribution lists saved.
    pub contacts: u32,
    /// Calendar items saved.
    pub appointments: u32,
    /// Tasks saved.
    pub tasks: u32,
    /// Notes saved.
    pub notes: u32,
    /// Messages saved in the shared mailbox.
    pub team_messages: u32,
    /// Meeting requests saved in Inboxes (each with the tentative
    /// appointment the calendar attendant places; not in `messages` or
    /// `appointments`).
    pub meeting_requests: u32,
}

/// The demo password.
pub const PASSWORD: &str = "demo";
/// The shared mailbox.
pub const TEAM: &str = "team@example.test";

/// splitmix64.
pub struct Rng(u64);
impl Rng {
    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<T: Copy>(&mut self, items: &[T], fallback: T) -> T {
        let i = (self.next_u64() % (items.len().max(1) as u64)) as usize;
        items.get(i).copied().unwrap_or(fallback)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

const SUBJECTS: &[&str] = &[
    "Quarterly report",
    "Réunion de lundi",
    "Grüße aus München",
    "Lunch on Friday?",
    "日本出張の件",
    "Budget 2027 – draft",
    "Ποιότητα υπηρεσιών",
    "Release checklist",
    "Привет из Москвы",
    "Offsite agenda 🎉",
];
const CORRESPONDENTS: &[(&str, &str)] = &[
    ("Zoë Müller", "zoe.mueller@partner.example"),
    ("José Núñez", "jose@contoso.example"),
    ("Søren Ødegård", "soren@fabrikam.example"),
    ("李小龍", "lee@example.cn"),
    ("Renée O'Brien", "renee@example.org"),
];
const CATEGORIES: &[&str] = &["Red Category", "Blue Category", "Projekt Ä", "Follow up"];

fn s(v: &str) -> PropValue {
    PropValue::String(v.to_string())
}

/// The tag of a catalogued named property in `mb` (mapped on first use).
fn lid(mb: &Mailbox, p: NamedProp) -> StoreResult<PropTag> {
    let name = match p.kind {
        NamedKind::Id(lid) => PropertyName::Id { guid: p.set, lid },
        NamedKind::Name(n) => PropertyName::Name { guid: p.set, name: n.into() },
    };
    named(mb, name, p.ty)
}

/// Minutes from 1601-01-01 00:00 to the midnight starting `y-m-d`
/// (proleptic Gregorian; the unit of [MS-OXOCAL] recurrence dates).
pub fn day_minutes(y: i32, m: u32, d: u32) -> i64 {
    // Days from civil (H. Hinnant's algorithm), relative to 1970-01-01.
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days_1970 = era * 146_097 + doe - 719_468;
    (days_1970 + 134_774) * 1440
}

/// The FILETIME of `minutes` since 1601-01-01.
pub fn filetime(minutes: i64) -> FileTime {
    FileTime(minutes.max(0) as u64 * 60 * FileTime::TICKS_PER_SECOND)
}

/// PS_PUBLIC_STRINGS.
const PS_PUBLIC_STRINGS: Guid = Guid::from_fields(0x0002_0329, 0, 0, [0xC0, 0, 0, 0, 0, 0, 0, 0x46]);

fn named(mb: &Mailbox, name: PropertyName, ty: PropType) -> StoreResult<PropTag> {
    let id =
        mb.prop_id_from_name(&name, true)?.ok_or(StoreError::InvalidParameter("named property could not be mapped"))?;
    Ok(PropTag::new(id, ty))
}

fn address(user: &str) -> String {
    if user.contains('@') { user.to_lowercase() } else { format!("{}@example.test", user.to_lowercase()) }
}

fn display_name(addr: &str) -> String {
    let local = addr.split('@').next().unwrap_or(addr);
    let mut c = local.chars();
    let first: String = c.next().map(|f| f.to_uppercase().collect()).unwrap_or_default();
    if local == "team" { "Team Mailbox".into() } else { format!("{first}{} Tester", c.as_str()) }
}

fn ensure(store: &Store, addr: &str) -> StoreResult<Mailbox> {
    match store.mailbox(addr) {
        Ok(m) => Ok(m),
        Err(_) => {
            let name = display_name(addr);
            // Fixed GUIDs from the address: entry ids are deterministic too.
            let mut rng = Rng(addr
                .bytes()
                .fold(0xCBF2_9CE4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)));
            let mut guid = || {
                let mut g = [0u8; 16];
                g[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
                g[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
                Guid(g)
            };
            store.create_mailbox(&NewMailbox {
                address: addr,
                display_name: &name,
                password: Some(PASSWORD),
                mailbox_guid: Some(guid()),
                replica_guid: Some(guid()),
                ..NewMailbox::default()
            })
        }
    }
}

/// The base time of seeded items: 2026-01-05 08:00 UTC.
const BASE: u64 = (1_767_600_000 + FileTime::UNIX_EPOCH_SECONDS) * FileTime::TICKS_PER_SECOND;
const HOUR: u64 = 3600 * FileTime::TICKS_PER_SECOND;

/// The message contents [`seed`] stores for user number `index` (pure:
/// the same options give the same contents): (sent, content). `keywords`
/// is the mailbox's tag for the Keywords named property.
pub fn messages_for(opts: &SeedOptions, index: usize, owner: &str, keywords: PropTag) -> Vec<(bool, MessageContent)> {
    let mut rng = Rng(opts.seed ^ (index as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    let owner_name = display_name(owner);
    let mut out = Vec::new();
    // The open thread: topic and the Message-IDs so far.
    let mut thread: Option<(String, Vec<String>)> = None;
    for i in 0..opts.messages {
        let sent = i % 4 == 3;
        let (peer_name, peer_addr) = rng.pick(CORRESPONDENTS, ("", ""));
        let topic = rng.pick(SUBJECTS, "").to_string();
        let id = format!("<seed-{}-{index}-{i}@example.test>", opts.seed);
        let time = FileTime(BASE + u64::from(i) * HOUR + rng.below(HOUR));
        let mut p = PropBag::new();
        // Every third message starts a thread; the next two answer it
        // (In-Reply-To the previous one, References the whole chain).
        let topic = match (&mut thread, i % 3) {
            (Some((t, chain)), 1 | 2) => {
                if let Some(prev) = chain.last() {
                    p.set(PropTag::IN_REPLY_TO_ID, s(prev));
                }
                p.set(PropTag::INTERNET_REFERENCES, s(&chain.join(" ")));
                chain.push(id.clone());
                t.clone()
            }
            _ => {
                thread = Some((topic.clone(), vec![id.clone()]));
                topic
            }
        };
        let subject = if i % 3 == 0 { topic.clone() } else { format!("RE: {topic}") };
        p.set(PropTag::MESSAGE_CLASS, s("IPM.Note"));
        p.set(PropTag::SUBJECT, s(&subject));
        p.set(PropTag::NORMALIZED_SUBJECT, s(&topic));
        p.set(PropTag::CONVERSATION_TOPIC, s(&topic));
        p.set(PropTag::INTERNET_MESSAGE_ID, s(&id));
        let (from_name, from_addr) = if sent { (owner_name.as_str(), owner) } else { (peer_name, peer_addr) };
        let (to_name, to_addr) = if sent { (peer_name, peer_addr) } else { (owner_name.as_str(), owner) };
        p.set(PropTag::SENDER_NAME, s(from_name));
        p.set(PropTag::SENDER_EMAIL_ADDRESS, s(from_addr));
        p.set(PropTag::SENDER_ADDRESS_TYPE, s("SMTP"));
        p.set(PropTag::SENT_REPRESENTING_NAME, s(from_name));
        p.set(PropTag::SENT_REPRESENTING_EMAIL_ADDRESS, s(from_addr));
        p.set(PropTag::DISPLAY_TO, s(to_name));
        p.set(PropTag::CLIENT_SUBMIT_TIME, PropValue::Time(time));
        p.set(PropTag::MESSAGE_DELIVERY_TIME, PropValue::Time(time));
        let body = format!("Hello {to_name},\n\n{subject}: message {i} of seed {}.\n\n— {from_name}\n", opts.seed);
        let inline = i % 7 == 4;
        if i % 11 == 10 && !sent && !inline {
            // An RTF-only body, as Outlook stores rich-text mail.
            p.set(PropTag::RTF_COMPRESSED, PropValue::Binary(uncompressed_rtf(&rtf_document(&body))));
            p.set(PropTag::RTF_IN_SYNC, PropValue::Bool(true));
            p.set(PropTag::NATIVE_BODY, PropValue::I32(2)); // RTF
        } else {
            p.set(PropTag::BODY, s(&body));
        }
        if (i % 2 == 1 || inline) && i % 11 != 10 {
            let image = if inline { "<p><img src=\"cid:logo@example.test\" alt=\"logo\"></p>" } else { "" };
            let html = format!(
                "<html><body><p>Hello {to_name},</p><p><b>{subject}</b>: message {i}.</p>{image}<p>&mdash; {from_name}</p></body></html>"
            );
            p.set(PropTag::HTML, PropValue::Binary(html.into_bytes()));
        }
        let read = sent || rng.below(3) != 0;
        // PidTagMessageFlags: mfRead (1); mfUnsent is never set here.
        p.set(PropTag::MESSAGE_FLAGS, PropValue::I32(i32::from(read)));
        if rng.below(5) == 0 {
            // PidTagFlagStatus: followupFlagged (2).
            p.set(PropTag::FLAG_STATUS, PropValue::I32(2));
        }
        if rng.below(4) == 0 {
            p.set(keywords, PropValue::MvString(vec![rng.pick(CATEGORIES, "").to_string()]));
        }
        let recipient = PropBag::from_pairs([
            (PropTag::RECIPIENT_TYPE, PropValue::I32(1)),
            (PropTag::DISPLAY_NAME, s(to_name)),
            (PropTag::EMAIL_ADDRESS, s(to_addr)),
            (PropTag::ADDRESS_TYPE, s("SMTP")),
            (PropTag::SMTP_ADDRESS, s(to_addr)),
        ]);
        let mut attachments = Vec::new();
        if i % 5 == 2 {
            let text = format!("Notes for {subject}\nline 2 — ünïcödé\n");
            attachments.push(Attachment {
                props: PropBag::from_pairs([
                    (PropTag::ATTACH_METHOD, PropValue::I32(1)),
                    (PropTag::ATTACH_LONG_FILENAME, s(&format!("notes-{i}.txt"))),
                    (PropTag::DISPLAY_NAME, s(&format!("notes-{i}.txt"))),
                    (PropTag::ATTACH_MIME_TAG, s("text/plain")),
                    (PropTag::ATTACH_DATA_BINARY, PropValue::Binary(text.into_bytes())),
                ]),
                embedded: None,
            });
        }
        if inline {
            // An inline image the HTML body references (ATT_MHTML_REF).
            attachments.push(Attachment {
                props: PropBag::from_pairs([
                    (PropTag::ATTACH_METHOD, PropValue::I32(1)),
                    (PropTag::ATTACH_LONG_FILENAME, s("logo.jpg")),
                    (PropTag::DISPLAY_NAME, s("logo.jpg")),
                    (PropTag::ATTACH_MIME_TAG, s("image/jpeg")),
                    (PropTag::ATTACH_CONTENT_ID, s("logo@example.test")),
                    (PropTag::ATTACH_FLAGS, PropValue::I32(4)),
                    (PropTag::ATTACHMENT_HIDDEN, PropValue::Bool(true)),
                    (PropTag::RENDERING_POSITION, PropValue::I32(-1)),
                    (PropTag::ATTACH_DATA_BINARY, PropValue::Binary(contacts::CONTACT_PHOTO.to_vec())),
                ]),
                embedded: None,
            });
        }
        out.push((sent, MessageContent { props: p, recipients: vec![recipient], attachments }));
    }
    out
}

/// A small RTF document with `text` (non-ASCII as `\uN?`, lines as `\par`).
pub fn rtf_document(text: &str) -> String {
    let mut out = String::from("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Calibri;}}\\f0\\fs22 ");
    for c in text.chars() {
        match c {
            '\\' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\par\n"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{}?", *u as i16));
                }
            }
        }
    }
    out.push('}');
    out
}

/// PidTagRtfCompressed in the uncompressed form of [MS-OXRTFCP] 2.1.3.1.1:
/// COMPSIZE, RAWSIZE, COMPTYPE "MELA" (0x414C454D), CRC 0, then the RTF.
pub fn uncompressed_rtf(rtf: &str) -> Vec<u8> {
    let raw = rtf.as_bytes();
    let mut w = Vec::with_capacity(raw.len() + 16);
    w.extend_from_slice(&(raw.len() as u32 + 12).to_le_bytes());
    w.extend_from_slice(&(raw.len() as u32).to_le_bytes());
    w.extend_from_slice(&0x414C_454Du32.to_le_bytes());
    w.extend_from_slice(&0u32.to_le_bytes());
    w.extend_from_slice(raw);
    w
}

/// Two unsent drafts (mfRead | mfUnsent) addressed to a correspondent.
fn drafts_for(owner: &str) -> Vec<MessageContent> {
    let owner_name = display_name(owner);
    [
        ("Entwurf: Angebot Q1", "Zoë Müller", "zoe.mueller@partner.example"),
        ("Draft: offsite ideas", "José Núñez", "jose@contoso.example"),
    ]
    .iter()
    .map(|(subject, name, addr)| MessageContent {
        props: PropBag::from_pairs([
            (PropTag::MESSAGE_CLASS, s("IPM.Note")),
            (PropTag::SUBJECT, s(subject)),
            (PropTag::NORMALIZED_SUBJECT, s(subject)),
            (PropTag::BODY, s(&format!("Hi {name},\n\n(unfinished)\n\n{owner_name}\n"))),
            (PropTag::DISPLAY_TO, s(name)),
            (PropTag::MESSAGE_FLAGS, PropValue::I32(0x09)),
        ]),
        recipients: vec![PropBag::from_pairs([
            (PropTag::RECIPIENT_TYPE, PropValue::I32(1)),
            (PropTag::DISPLAY_NAME, s(name)),
            (PropTag::EMAIL_ADDRESS, s(addr)),
            (PropTag::ADDRESS_TYPE, s("SMTP")),
            (PropTag::SMTP_ADDRESS, s(addr)),
        ])],
        attachments: vec![],
    })
    .collect()
}

/// 16 bytes for a GlobalObjectId from `rng`.
fn goid_data(rng: &mut Rng) -> [u8; 16] {
    let mut d = [0u8; 16];
    d[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    d[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
    d
}

/// Seeds `store` (see the module documentation). Users that exist are
/// reused; content is added each time.
pub fn seed(store: &Store, opts: &SeedOptions) -> StoreResult<SeedReport> {
    let mut report = SeedReport::default();
    let mut addrs: Vec<String> = opts.users.iter().map(|u| address(u)).collect();
    if addrs.is_empty() {
        addrs = vec![address("alice"), address("bob")];
    }
    let people: Vec<calendar::Person> = addrs.iter().map(|a| (display_name(a), a.clone())).collect();
    let organizer = people.first().cloned().unwrap_or_default();
    let attendees: Vec<calendar::Person> = people.iter().skip(1).cloned().collect();
    // The shared meeting has one GlobalObjectId in every calendar.
    let meeting = goid_data(&mut Rng(opts.seed ^ 0x6D65_6574_696E_6721));
    for (index, addr) in addrs.iter().enumerate() {
        let mb = ensure(store, addr)?;
        let keywords = named(
            &mb,
            PropertyName::Name { guid: PS_PUBLIC_STRINGS, name: "Keywords".into() },
            PropType::MULTIPLE_STRING,
        )?;
        for (sent, content) in messages_for(opts, index, addr, keywords) {
            let folder = mb.special_folder(if sent { SpecialFolder::SentItems } else { SpecialFolder::Inbox });
            mb.save_message(folder, None, false, &content, SaveMode::Normal)?;
            report.messages += 1;
        }
        for draft in drafts_for(addr) {
            mb.save_message(mb.special_folder(SpecialFolder::Drafts), None, false, &draft, SaveMode::Normal)?;
            report.drafts += 1;
        }
        // The colleague in the contacts: the next demo user (or the first).
        let colleague = people.get((index + 1) % people.len()).cloned().unwrap_or_default();
        report.contacts += contacts::contacts(&mb, &colleague)?;
        let mut rng = Rng(opts.seed ^ (index as u64 + 1).wrapping_mul(0x9FB2_1C65_1E98_DF25));
        let owner = (display_name(addr), addr.clone());
        report.appointments += calendar::appointments(&mb, &mut rng, meeting, &organizer, &attendees, &owner)?.items;
        let (tasks, notes) = contacts::tasks_and_notes(&mb)?;
        report.tasks += tasks;
        report.notes += notes;
        directory::attributes(&mb, index, addr)?;
    }
    // The first user invites the second to a weekly series.
    if let [organizer, attendee, ..] = people.as_slice() {
        let data = goid_data(&mut Rng(opts.seed ^ 0x7265_7175_6573_7421));
        meeting::meeting_request(&store.mailbox(&attendee.1)?, data, organizer, attendee)?;
        report.meeting_requests += 1;
    }
    let team = ensure(store, TEAM)?;
    let inbox = team.special_folder(SpecialFolder::Inbox);
    for (k, (subject, from, addr)) in [
        ("Kundenanfrage #4711", "José Núñez", "jose@contoso.example"),
        ("Support: VPN down?", "Søren Ødegård", "soren@fabrikam.example"),
        ("Invoice 2026-001", "Zoë Müller", "zoe.mueller@partner.example"),
    ]
    .iter()
    .enumerate()
    {
        let time = FileTime(BASE + k as u64 * 3 * HOUR);
        let c = MessageContent {
            props: PropBag::from_pairs([
                (PropTag::MESSAGE_CLASS, s("IPM.Note")),
                (PropTag::SUBJECT, s(subject)),
                (PropTag::BODY, s(&format!("Hello team,\n\n{subject}\n\n{from}\n"))),
                (PropTag::SENDER_NAME, s(from)),
                (PropTag::SENDER_EMAIL_ADDRESS, s(addr)),
                (PropTag::SENDER_ADDRESS_TYPE, s("SMTP")),
                (PropTag::SENT_REPRESENTING_NAME, s(from)),
                (PropTag::SENT_REPRESENTING_EMAIL_ADDRESS, s(addr)),
                (PropTag::DISPLAY_TO, s("Team Mailbox")),
                (PropTag::MESSAGE_DELIVERY_TIME, PropValue::Time(time)),
                (PropTag::CLIENT_SUBMIT_TIME, PropValue::Time(time)),
                (PropTag::MESSAGE_FLAGS, PropValue::I32(i32::from(k == 0))),
            ]),
            ..MessageContent::default()
        };
        team.save_message(inbox, None, false, &c, SaveMode::Normal)?;
        report.team_messages += 1;
    }
    if addrs.iter().any(|a| a == "alice@example.test") {
        team.grant(None, "alice@example.test", crate::store::Rights::ALL.union(crate::store::Rights::FOLDER_OWNER))?;
        team.grant_send_as("alice@example.test", true)?;
    }
    Ok(report)
}
