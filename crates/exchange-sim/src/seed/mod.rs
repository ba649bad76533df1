//! Deterministic demo content: `seed(&store, &SeedOptions { .. })` creates
//! the demo users (password `demo`), the shared mailbox
//! `team@example.test` (alice has full access) and, per user, mail in
//! Inbox and Sent Items (plain and HTML bodies, attachments, non-ASCII
//! subjects and names, threads, flags, read/unread, categories), a few
//! contacts and calendar items. The same `seed` gives the same content.

use mapi_wire::named::PropertyName;
use mapi_wire::prop_value::{FileTime, PropValue};
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
    /// Contacts saved.
    pub contacts: u32,
    /// Calendar items saved.
    pub appointments: u32,
}

/// The demo password.
pub const PASSWORD: &str = "demo";
/// The shared mailbox.
pub const TEAM: &str = "team@example.test";

/// splitmix64.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<T: Copy>(&mut self, items: &[T], fallback: T) -> T {
        let i = (self.next() % (items.len().max(1) as u64)) as usize;
        items.get(i).copied().unwrap_or(fallback)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
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

fn tag(id: u16, ty: PropType) -> PropTag {
    PropTag::new(id, ty)
}

fn s(v: &str) -> PropValue {
    PropValue::String(v.to_string())
}

/// PS_PUBLIC_STRINGS.
const PS_PUBLIC_STRINGS: Guid = Guid::from_fields(0x0002_0329, 0, 0, [0xC0, 0, 0, 0, 0, 0, 0, 0x46]);
/// PSETID_Address.
const PSETID_ADDRESS: Guid = Guid::from_fields(0x0006_2004, 0, 0, [0xC0, 0, 0, 0, 0, 0, 0, 0x46]);
/// PSETID_Appointment.
const PSETID_APPOINTMENT: Guid = Guid::from_fields(0x0006_2002, 0, 0, [0xC0, 0, 0, 0, 0, 0, 0, 0x46]);

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
                g[..8].copy_from_slice(&rng.next().to_le_bytes());
                g[8..].copy_from_slice(&rng.next().to_le_bytes());
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
/// the same options give the same contents). `keywords` is the mailbox's
/// tag for the Keywords named property.
pub fn messages_for(opts: &SeedOptions, index: usize, owner: &str, keywords: PropTag) -> Vec<(bool, MessageContent)> {
    let mut rng = Rng(opts.seed ^ (index as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    let owner_name = display_name(owner);
    let mut out = Vec::new();
    let mut thread: Option<(String, String)> = None;
    for i in 0..opts.messages {
        let sent = i % 4 == 3;
        let (peer_name, peer_addr) = rng.pick(CORRESPONDENTS, ("", ""));
        let topic = rng.pick(SUBJECTS, "").to_string();
        let id = format!("<seed-{}-{index}-{i}@example.test>", opts.seed);
        let time = FileTime(BASE + u64::from(i) * HOUR + rng.below(HOUR));
        let mut p = PropBag::new();
        // Every third message answers the previous one (a thread).
        let (subject, topic) = match (&thread, i % 3) {
            (Some((t, prev)), 1 | 2) => {
                p.set(tag(0x1042, PropType::STRING), s(prev));
                p.set(tag(0x1039, PropType::STRING), s(prev));
                (format!("RE: {t}"), t.clone())
            }
            _ => (topic.clone(), topic),
        };
        thread = Some((topic.clone(), id.clone()));
        p.set(tag(0x001A, PropType::STRING), s("IPM.Note"));
        p.set(tag(0x0037, PropType::STRING), s(&subject));
        p.set(tag(0x0070, PropType::STRING), s(&topic));
        p.set(tag(0x1035, PropType::STRING), s(&id));
        let (from_name, from_addr) = if sent { (owner_name.as_str(), owner) } else { (peer_name, peer_addr) };
        let (to_name, to_addr) = if sent { (peer_name, peer_addr) } else { (owner_name.as_str(), owner) };
        p.set(tag(0x0C1A, PropType::STRING), s(from_name));
        p.set(tag(0x0C1F, PropType::STRING), s(from_addr));
        p.set(tag(0x0C1E, PropType::STRING), s("SMTP"));
        p.set(tag(0x0042, PropType::STRING), s(from_name));
        p.set(tag(0x0065, PropType::STRING), s(from_addr));
        p.set(tag(0x0E04, PropType::STRING), s(to_name));
        p.set(tag(0x0039, PropType::TIME), PropValue::Time(time));
        p.set(tag(0x0E06, PropType::TIME), PropValue::Time(time));
        let body = format!("Hello {to_name},\n\n{subject}: message {i} of seed {}.\n\n— {from_name}\n", opts.seed);
        p.set(tag(0x1000, PropType::STRING), s(&body));
        if i % 2 == 1 {
            let html = format!(
                "<html><body><p>Hello {to_name},</p><p><b>{subject}</b>: message {i}.</p><p>&mdash; {from_name}</p></body></html>"
            );
            p.set(tag(0x1013, PropType::BINARY), PropValue::Binary(html.into_bytes()));
        }
        let read = sent || rng.below(3) != 0;
        // PidTagMessageFlags: mfRead (1); mfUnsent is never set here.
        p.set(tag(0x0E07, PropType::INTEGER32), PropValue::I32(i32::from(read)));
        if rng.below(5) == 0 {
            // PidTagFlagStatus: followupFlagged (2).
            p.set(tag(0x1090, PropType::INTEGER32), PropValue::I32(2));
        }
        if rng.below(4) == 0 {
            p.set(keywords, PropValue::MvString(vec![rng.pick(CATEGORIES, "").to_string()]));
        }
        let recipient = PropBag::from_pairs([
            (tag(0x0C15, PropType::INTEGER32), PropValue::I32(1)),
            (tag(0x3001, PropType::STRING), s(to_name)),
            (tag(0x3003, PropType::STRING), s(to_addr)),
            (tag(0x3002, PropType::STRING), s("SMTP")),
            (tag(0x39FE, PropType::STRING), s(to_addr)),
        ]);
        let mut attachments = Vec::new();
        if i % 5 == 2 {
            let text = format!("Notes for {subject}\nline 2 — ünïcödé\n");
            attachments.push(Attachment {
                props: PropBag::from_pairs([
                    (tag(0x3705, PropType::INTEGER32), PropValue::I32(1)),
                    (tag(0x3707, PropType::STRING), s(&format!("notes-{i}.txt"))),
                    (tag(0x3704, PropType::STRING), s(&format!("notes-{i}.txt"))),
                    (tag(0x370E, PropType::STRING), s("text/plain")),
                    (tag(0x3701, PropType::BINARY), PropValue::Binary(text.into_bytes())),
                ]),
                embedded: None,
            });
            p.set(tag(0x0E1B, PropType::BOOLEAN), PropValue::Bool(true));
        }
        out.push((sent, MessageContent { props: p, recipients: vec![recipient], attachments }));
    }
    out
}

/// Seeds `store` (see the module documentation). Users that exist are
/// reused; content is added each time.
pub fn seed(store: &Store, opts: &SeedOptions) -> StoreResult<SeedReport> {
    let mut report = SeedReport::default();
    let mut addrs: Vec<String> = opts.users.iter().map(|u| address(u)).collect();
    if addrs.is_empty() {
        addrs = vec![address("alice"), address("bob")];
    }
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
        let email1 = named(&mb, PropertyName::Id { guid: PSETID_ADDRESS, lid: 0x8083 }, PropType::STRING)?;
        for (name, mail) in CORRESPONDENTS.iter().take(3) {
            let c = MessageContent {
                props: PropBag::from_pairs([
                    (tag(0x001A, PropType::STRING), s("IPM.Contact")),
                    (tag(0x3001, PropType::STRING), s(name)),
                    (tag(0x0037, PropType::STRING), s(name)),
                    (email1, s(mail)),
                ]),
                ..MessageContent::default()
            };
            mb.save_message(mb.special_folder(SpecialFolder::Contacts), None, false, &c, SaveMode::Normal)?;
            report.contacts += 1;
        }
        let start = named(&mb, PropertyName::Id { guid: PSETID_APPOINTMENT, lid: 0x820D }, PropType::TIME)?;
        let end = named(&mb, PropertyName::Id { guid: PSETID_APPOINTMENT, lid: 0x820E }, PropType::TIME)?;
        let location = named(&mb, PropertyName::Id { guid: PSETID_APPOINTMENT, lid: 0x8208 }, PropType::STRING)?;
        for (k, subject) in ["Team sync", "Kundentermin Köln", "1:1"].iter().enumerate() {
            let t0 = BASE + (k as u64 + 1) * 24 * HOUR + 2 * HOUR;
            let c = MessageContent {
                props: PropBag::from_pairs([
                    (tag(0x001A, PropType::STRING), s("IPM.Appointment")),
                    (tag(0x0037, PropType::STRING), s(subject)),
                    (start, PropValue::Time(FileTime(t0))),
                    (end, PropValue::Time(FileTime(t0 + HOUR))),
                    (location, s(if k == 1 { "Köln, Raum 3" } else { "Online" })),
                ]),
                ..MessageContent::default()
            };
            mb.save_message(mb.special_folder(SpecialFolder::Calendar), None, false, &c, SaveMode::Normal)?;
            report.appointments += 1;
        }
    }
    let team = ensure(store, TEAM)?;
    if addrs.iter().any(|a| a == "alice@example.test") {
        team.grant(None, "alice@example.test", crate::store::Rights::ALL.union(crate::store::Rights::FOLDER_OWNER))?;
    }
    Ok(report)
}
