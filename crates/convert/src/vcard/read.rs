//! vCard → Contact / Personal Distribution List ([MS-OXVCARD] 2.1.3 import
//! direction, [MS-OXOCNTC] 2.2.1 and 2.2.2 for the resulting objects).

use std::collections::{BTreeMap, BTreeSet};

use calcard::vcard::{VCard, VCardEntry, VCardKind, VCardParameterName, VCardProperty, VCardSex, VCardValue};
use calcard::{Entry, Parser};
use mapi_wire::PropTag;
use mapi_wire::prop_value::PropValue;
use mapi_wire::tags::{NamedProp, PidLid, PidName};

use super::date::Date;
use super::distlist::{self, MemberIds};
use super::props::{
    ADDRESSES, AddressField, AddressKind, EMAILS, MAILING, PHONES, VCARD_EXTRA, VCARD_MEMBERS, VCARD_UID,
};
use super::values::{
    apple_label, components, crlf, decode_data_uri, decode_param, default_file_as, entry_line, format_address,
    has_uri_scheme, lenient_base64, param_text, preference, sniff_image, strip_scheme, texts, types, value_text,
};
use super::write::{escape_text, fold_into};
use super::{VcardError, VcardParseOptions, VcardVersion};
use crate::bag::PropertyBag;
use crate::message::{Attachment, Message};

/// One converted card.
#[derive(Clone, Debug, PartialEq)]
pub struct VcardImport {
    /// The `IPM.Contact` or `IPM.DistList` message.
    pub message: Message,
    /// The card's `UID`, if it had one (also in [`super::props::VCARD_UID`]).
    pub uid: Option<String>,
    /// The card's `VERSION` (2.1 counts as 3.0).
    pub version: VcardVersion,
    /// What was kept only as text (in [`super::props::VCARD_EXTRA`]) or
    /// dropped, for logs.
    pub warnings: Vec<String>,
}

/// Converts an input that holds exactly one vCard (a CardDAV PUT body).
pub fn vcard_to_message(input: &[u8], options: &VcardParseOptions<'_>) -> Result<VcardImport, VcardError> {
    let mut cards = vcards_to_messages(input, options)?;
    match cards.len() {
        1 => cards.pop().ok_or(VcardError::NoCard),
        n => Err(VcardError::SeveralCards(n)),
    }
}

/// Converts every vCard of an input (an import file), in order.
pub fn vcards_to_messages(input: &[u8], options: &VcardParseOptions<'_>) -> Result<Vec<VcardImport>, VcardError> {
    let limits = &options.limits;
    if input.len() > limits.max_input {
        return Err(VcardError::TooLarge { size: input.len(), limit: limits.max_input });
    }
    let decoded;
    let text = match std::str::from_utf8(input) {
        Ok(t) => t,
        // vCard 2.1 has no fixed charset (Outlook writes Windows-1252);
        // 3.0 and 4.0 in CardDAV are UTF-8.
        Err(_) if is_v21(input) => {
            decoded = encoding_rs::WINDOWS_1252.decode_without_bom_handling(input).0;
            &decoded
        }
        Err(e) => return Err(VcardError::NotUtf8(e.valid_up_to())),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let ends = text.lines().filter(|l| l.trim().eq_ignore_ascii_case("END:VCARD")).count();
    let mut parser = Parser::new(text);
    let mut cards = Vec::new();
    // The parser consumes at least one line per call; bound the loop anyway.
    for _ in 0..=text.len() {
        match parser.entry() {
            Entry::VCard(card) => {
                if cards.len() == limits.max_cards {
                    return Err(VcardError::LimitExceeded { what: "cards", limit: limits.max_cards });
                }
                cards.push(card);
            }
            Entry::Eof => break,
            Entry::InvalidLine(line) if line.trim().is_empty() => {}
            Entry::InvalidLine(line) => {
                return Err(VcardError::Malformed(format!("not a content line: {:.60}", line.trim())));
            }
            Entry::ICalendar(_) => return Err(VcardError::NotVcard("an iCalendar object".into())),
            Entry::UnterminatedComponent(c) => return Err(VcardError::Malformed(format!("unterminated {c}"))),
            Entry::TooManyComponents => return Err(VcardError::Malformed("too many nested components".into())),
            other => return Err(VcardError::Malformed(format!("{other:?}").chars().take(60).collect())),
        }
    }
    if cards.is_empty() {
        return Err(VcardError::NoCard);
    }
    if ends < cards.len() {
        return Err(VcardError::Malformed("a vCard has no END:VCARD".into()));
    }
    cards.iter().map(|c| card_to_message(c, options)).collect()
}

fn is_v21(input: &[u8]) -> bool {
    input.windows(11).any(|w| w.eq_ignore_ascii_case(b"VERSION:2.1"))
}

/// The state of one card's conversion.
struct CardReader<'o> {
    options: &'o VcardParseOptions<'o>,
    bag: PropertyBag,
    attachments: Vec<Attachment>,
    extra: String,
    extra_groups: BTreeSet<String>,
    warnings: Vec<String>,
    version: VcardVersion,
    /// Apple's `itemN.X-ABLabel` per group, normalised.
    labels: BTreeMap<String, String>,
    /// Apple's `itemN.X-ABADR` (country code) per group.
    country_codes: BTreeMap<String, String>,
    display_name: Option<String>,
    /// (preference, order, address).
    emails: Vec<(u32, usize, String)>,
    members: Vec<String>,
    is_group: bool,
    uid: Option<String>,
    postal_address: Option<AddressKind>,
    /// The instant messaging address so far: (rank, value, property).
    im: Option<(u8, String, VCardEntry)>,
    /// `LABEL` properties (3.0, 2.1): the formatted address per kind.
    address_labels: Vec<(AddressKind, VCardEntry)>,
    addresses_seen: Vec<AddressKind>,
    categories: Vec<String>,
    notes: Vec<String>,
    children: Vec<String>,
}

fn card_to_message(card: &VCard, options: &VcardParseOptions<'_>) -> Result<VcardImport, VcardError> {
    if card.entries.len() > options.limits.max_properties {
        return Err(VcardError::LimitExceeded { what: "properties", limit: options.limits.max_properties });
    }
    let version = match card.entries.iter().find(|e| e.name == VCardProperty::Version).map(value_text) {
        None => VcardVersion::V4,
        Some(v) => match v.trim() {
            "4.0" => VcardVersion::V4,
            "3.0" | "2.1" => VcardVersion::V3,
            other => return Err(VcardError::UnsupportedVersion(other.chars().take(20).collect())),
        },
    };
    let mut r = CardReader {
        options,
        bag: PropertyBag::new(),
        attachments: Vec::new(),
        extra: String::new(),
        extra_groups: BTreeSet::new(),
        warnings: Vec::new(),
        version,
        labels: BTreeMap::new(),
        country_codes: BTreeMap::new(),
        display_name: None,
        emails: Vec::new(),
        members: Vec::new(),
        is_group: false,
        uid: None,
        postal_address: None,
        address_labels: Vec::new(),
        im: None,
        addresses_seen: Vec::new(),
        categories: Vec::new(),
        notes: Vec::new(),
        children: Vec::new(),
    };
    for e in &card.entries {
        if let (Some(g), VCardProperty::Other(name)) = (&e.group, &e.name) {
            if name.eq_ignore_ascii_case("X-ABLabel") {
                r.labels.insert(g.to_ascii_lowercase(), apple_label(&value_text(e)));
            } else if name.eq_ignore_ascii_case("X-ABADR") {
                r.country_codes.insert(g.to_ascii_lowercase(), value_text(e));
            }
        }
    }
    for (order, e) in card.entries.iter().enumerate() {
        r.entry(e, order)?;
    }
    // Labels belong to the property of their group: keep one only where
    // that property was kept as text too.
    for e in &card.entries {
        if let (Some(g), VCardProperty::Other(name)) = (&e.group, &e.name)
            && (name.eq_ignore_ascii_case("X-ABLabel") || name.eq_ignore_ascii_case("X-ABADR"))
            && r.extra_groups.contains(&g.to_ascii_lowercase())
        {
            r.keep(e);
        }
    }
    r.finish()
}

impl CardReader<'_> {
    /// Sets a string property; line breaks become CRLF, as MAPI text has
    /// them ([MS-OXCMSG] 2.2.1.48 for PidTagBody, the same for the rest).
    fn set(&mut self, key: impl crate::bag::ToPropKey, value: &str) -> Result<(), VcardError> {
        let value = value.trim();
        if !value.is_empty() {
            let value = if value.contains(['\r', '\n']) { crlf(value) } else { value.to_owned() };
            self.bag.insert(key, PropValue::String(value))?;
        }
        Ok(())
    }

    fn set_if_absent(&mut self, key: impl crate::bag::ToPropKey + Copy, value: &str) -> Result<bool, VcardError> {
        if self.bag.contains(key) || value.trim().is_empty() {
            return Ok(false);
        }
        self.set(key, value)?;
        Ok(true)
    }

    fn label(&self, e: &VCardEntry) -> Option<&str> {
        e.group.as_ref().and_then(|g| self.labels.get(&g.to_ascii_lowercase())).map(String::as_str)
    }

    /// Keeps a property MAPI has no place for as a content line; a
    /// property whose name or group is not a vCard name ([RFC 6350] 3.3:
    /// letters, digits, dashes) cannot be written back and is dropped.
    ///
    /// [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350
    fn keep(&mut self, e: &VCardEntry) {
        let is_name = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !is_name(e.name.as_str()) || e.group.as_deref().is_some_and(|g| !is_name(g)) {
            self.warnings.push(format!("dropped a property with an invalid name {:?}", e.name.as_str()));
            return;
        }
        if let Some(g) = &e.group {
            self.extra_groups.insert(g.to_ascii_lowercase());
        }
        let line: String = entry_line(e, self.version).chars().filter(|c| !c.is_control() || *c == '\t').collect();
        fold_into(&mut self.extra, &line);
    }

    fn entry(&mut self, e: &VCardEntry, order: usize) -> Result<(), VcardError> {
        match &e.name {
            VCardProperty::Begin | VCardProperty::End | VCardProperty::Version => {}
            // Ours are written on render.
            VCardProperty::Prodid | VCardProperty::Rev => {}
            VCardProperty::Fn => {
                let v = value_text(e);
                if self.display_name.is_none() && !v.trim().is_empty() {
                    self.display_name = Some(v.trim().to_owned());
                } else {
                    self.keep(e);
                }
            }
            VCardProperty::N => self.name(e)?,
            VCardProperty::Nickname => {
                let v = texts(e).join(", ");
                if !self.set_if_absent(PropTag::NICKNAME, &v)? {
                    self.keep(e);
                }
            }
            VCardProperty::Org => {
                let parts = components(e, " ");
                let company = parts.first().cloned().unwrap_or_default();
                let units: Vec<&str> = parts.iter().skip(1).map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
                if self.bag.contains(PropTag::COMPANY_NAME) {
                    self.keep(e);
                } else {
                    self.set(PropTag::COMPANY_NAME, &company)?;
                    self.set(PropTag::DEPARTMENT_NAME, &units.join(", "))?;
                }
            }
            VCardProperty::Title => self.single(e, PropTag::TITLE)?,
            VCardProperty::Role => self.single(e, PropTag::PROFESSION)?,
            VCardProperty::Email => {
                let addr = value_text(e);
                let addr = strip_scheme(addr.trim(), "mailto:");
                if addr.is_empty() {
                    return Ok(());
                }
                self.emails.push((preference(e), order, addr.to_owned()));
            }
            VCardProperty::Tel => self.phone(e)?,
            VCardProperty::Adr => self.address(e)?,
            VCardProperty::Bday => self.date(e, PropTag::BIRTHDAY, PidLid::BIRTHDAY_LOCAL)?,
            VCardProperty::Anniversary => {
                self.date(e, PropTag::WEDDING_ANNIVERSARY, PidLid::WEDDING_ANNIVERSARY_LOCAL)?;
            }
            VCardProperty::Note => self.notes.push(value_text(e)),
            VCardProperty::Url => self.url(e)?,
            VCardProperty::Impp => self.im(e, 1),
            VCardProperty::Categories => {
                for c in texts(e) {
                    let c = c.trim().to_owned();
                    if !c.is_empty() && !self.categories.contains(&c) {
                        self.categories.push(c);
                    }
                }
            }
            VCardProperty::Photo => self.photo(e)?,
            VCardProperty::Uid => {
                let v: String = value_text(e).chars().filter(|c| !c.is_control()).collect();
                let v = v.trim().to_owned();
                if self.uid.is_none() && !v.is_empty() {
                    self.set(VCARD_UID, &v)?;
                    self.uid = Some(v);
                }
            }
            VCardProperty::Kind => match e.values.first() {
                Some(VCardValue::Kind(VCardKind::Group)) => self.is_group = true,
                Some(VCardValue::Kind(VCardKind::Individual)) => {}
                // What calcard did not recognise, after dropping control
                // characters as everywhere else.
                _ => match value_text(e).trim().to_ascii_lowercase().as_str() {
                    "group" => self.is_group = true,
                    "individual" => {}
                    _ => self.keep(e),
                },
            },
            VCardProperty::Member => self.members.push(value_text(e).trim().to_owned()),
            VCardProperty::Gender => match e.values.first() {
                Some(VCardValue::Sex(VCardSex::Female)) if e.values.len() == 1 => {
                    self.bag.insert(PropTag::GENDER, PropValue::I16(1))?;
                }
                Some(VCardValue::Sex(VCardSex::Male)) if e.values.len() == 1 => {
                    self.bag.insert(PropTag::GENDER, PropValue::I16(2))?;
                }
                _ => self.keep(e),
            },
            VCardProperty::Related => {
                let types = types(e);
                if types.iter().any(|t| t == "spouse") {
                    self.related(e, PropTag::SPOUSE_NAME)?;
                } else if types.iter().any(|t| t == "child") {
                    self.children.push(value_text(e));
                } else {
                    self.keep(e);
                }
            }
            VCardProperty::Other(name) => self.other(e, &name.to_ascii_uppercase())?,
            _ => self.keep(e),
        }
        Ok(())
    }

    fn single(&mut self, e: &VCardEntry, tag: PropTag) -> Result<(), VcardError> {
        if !self.set_if_absent(tag, &value_text(e))? {
            self.keep(e);
        }
        Ok(())
    }

    fn related(&mut self, e: &VCardEntry, tag: PropTag) -> Result<(), VcardError> {
        let v = value_text(e);
        // A RELATED URI (urn:uuid:, mailto:) is not a name.
        if v.contains(':') && !v.contains(' ') {
            self.keep(e);
            return Ok(());
        }
        self.single(e, tag)
    }

    /// `N`: family; given; additional; prefixes; suffixes ([RFC 6350]
    /// 6.2.2) → PidTagSurname, GivenName, MiddleName, DisplayNamePrefix,
    /// Generation ([MS-OXOCNTC] 2.2.1.1.x).
    ///
    /// [RFC 6350]: https://www.rfc-editor.org/rfc/rfc6350
    fn name(&mut self, e: &VCardEntry) -> Result<(), VcardError> {
        if self.bag.contains(PropTag::SURNAME) || self.bag.contains(PropTag::GIVEN_NAME) {
            self.keep(e);
            return Ok(());
        }
        let parts = components(e, " ");
        let tags = [
            PropTag::SURNAME,
            PropTag::GIVEN_NAME,
            PropTag::MIDDLE_NAME,
            PropTag::DISPLAY_NAME_PREFIX,
            PropTag::GENERATION,
        ];
        for (tag, value) in tags.into_iter().zip(parts.iter()) {
            self.set(tag, value)?;
        }
        Ok(())
    }

    fn phone(&mut self, e: &VCardEntry) -> Result<(), VcardError> {
        let raw = value_text(e);
        let number = strip_scheme(raw.trim(), "tel:").trim().to_owned();
        if number.is_empty() {
            return Ok(());
        }
        let types = types(e);
        let has = |t: &str| types.iter().any(|x| x == t);
        let label = self.label(e).unwrap_or_default().to_owned();
        let v4_pref = self.version == VcardVersion::V4 && preference(e) < 100;
        let candidates: &[PropTag] = if has("fax") {
            if has("home") {
                &[PropTag::HOME_FAX_NUMBER]
            } else if has("work") {
                &[PropTag::BUSINESS_FAX_NUMBER]
            } else {
                &[PropTag::PRIMARY_FAX_NUMBER]
            }
        } else if has("cell") || has("mobile") || has("iphone") || label == "mobile" {
            &[PropTag::MOBILE_TELEPHONE_NUMBER]
        } else if has("pager") || label == "pager" {
            &[PropTag::PAGER_TELEPHONE_NUMBER]
        } else if has("car") {
            &[PropTag::CAR_TELEPHONE_NUMBER]
        } else if has("isdn") {
            &[PropTag::ISDN_NUMBER]
        } else if has("textphone") {
            &[PropTag::TELECOMMUNICATIONS_DEVICE_FOR_DEAF_TELEPHONE_NUMBER]
        } else if has("main-number") || has("main") || label == "main" {
            &[PropTag::COMPANY_MAIN_TELEPHONE_NUMBER]
        } else if let Some(slot) = PHONES.iter().find(|p| p.ms_type.is_some() && apple_label(p.label) == label) {
            std::slice::from_ref(&slot.tag)
        } else if has("home") || label == "home" {
            &[PropTag::HOME_TELEPHONE_NUMBER, PropTag::HOME2_TELEPHONE_NUMBER]
        } else if has("work") || label == "work" {
            &[PropTag::BUSINESS_TELEPHONE_NUMBER, PropTag::BUSINESS2_TELEPHONE_NUMBER]
        } else if has("pref") || v4_pref {
            &[PropTag::PRIMARY_TELEPHONE_NUMBER]
        } else {
            &[PropTag::OTHER_TELEPHONE_NUMBER]
        };
        // [MS-OXVCARD] imports further numbers of a taken type nowhere; we
        // try the generic slots before keeping the line as text.
        let fallback =
            [PropTag::OTHER_TELEPHONE_NUMBER, PropTag::BUSINESS2_TELEPHONE_NUMBER, PropTag::HOME2_TELEPHONE_NUMBER];
        for tag in candidates.iter().chain(fallback.iter()) {
            if self.set_if_absent(*tag, &number)? {
                return Ok(());
            }
        }
        self.warnings.push(format!("TEL {number} kept as text: every matching slot is taken"));
        self.keep(e);
        Ok(())
    }

    fn address(&mut self, e: &VCardEntry) -> Result<(), VcardError> {
        let types = types(e);
        let label = self.label(e).unwrap_or_default().to_owned();
        let wanted = if types.iter().any(|t| t == "work") || label == "work" {
            AddressKind::Work
        } else if types.iter().any(|t| t == "home") || label == "home" {
            AddressKind::Home
        } else {
            AddressKind::Other
        };
        let kind = [wanted, AddressKind::Other].into_iter().find(|k| !self.addresses_seen.contains(k));
        let Some(kind) = kind else {
            self.warnings.push("ADR kept as text: home, work and other addresses are taken".into());
            self.keep(e);
            return Ok(());
        };
        self.addresses_seen.push(kind);
        let Some(props) = ADDRESSES.iter().find(|a| a.kind == kind).copied() else { return Ok(()) };
        let parts = components(e, ", ");
        let part = |i: usize| parts.get(i).map(|s| s.trim().to_owned()).unwrap_or_default();
        let (ext, street) = (part(1), part(2));
        let street = match (ext.is_empty(), street.is_empty()) {
            (false, false) => format!("{ext}\r\n{street}"),
            (false, true) => ext,
            _ => street,
        };
        let values = [part(0), street, part(3), part(4), part(5), part(6)];
        let fields = [props.po_box, props.street, props.city, props.state, props.postal_code, props.country];
        for (field, value) in fields.iter().zip(values.iter()) {
            match field {
                AddressField::Tag(t) => self.set(*t, value)?,
                AddressField::Named(n) => self.set(*n, value)?,
            }
        }
        let whole = param_text(e, &VCardParameterName::Label)
            .map(|l| crlf(&decode_param(&l)))
            .unwrap_or_else(|| format_address(&values));
        self.set(props.whole, &whole)?;
        let code = e
            .group
            .as_ref()
            .and_then(|g| self.country_codes.get(&g.to_ascii_lowercase()))
            .cloned()
            .or_else(|| param_text(e, &VCardParameterName::Cc));
        if let Some(code) = code {
            self.set(props.country_code, &code.to_ascii_uppercase())?;
        }
        if self.postal_address.is_none() && (types.iter().any(|t| t == "pref") || preference(e) < 100) {
            self.postal_address = Some(kind);
        }
        Ok(())
    }

    fn date(&mut self, e: &VCardEntry, utc: PropTag, local: NamedProp) -> Result<(), VcardError> {
        let date = match e.values.first() {
            Some(VCardValue::PartialDateTime(p)) => Date::from_partial(p),
            _ => Date::parse(&value_text(e)),
        };
        match date.and_then(|d| d.to_filetime()) {
            Some(t) if !self.bag.contains(utc) => {
                self.bag.insert(utc, PropValue::Time(t))?;
                self.bag.insert(local, PropValue::Time(t))?;
            }
            // The same date again (ANNIVERSARY and X-ANNIVERSARY together).
            Some(t) if self.bag.time(local) == Some(t) => {}
            _ => self.keep(e),
        }
        Ok(())
    }

    /// `URL`: work → PidTagBusinessHomePage and PidLidHtml (both "the
    /// business web page", [MS-OXOCNTC] 2.2.1.10.x); home → PidTagPersonalHomePage.
    fn url(&mut self, e: &VCardEntry) -> Result<(), VcardError> {
        let Some(url) = e.values.first().and_then(VCardValue::as_text).map(str::to_owned) else {
            self.keep(e);
            return Ok(());
        };
        let types = types(e);
        let label = self.label(e).unwrap_or_default().to_owned();
        let work = types.iter().any(|t| t == "work") || label == "work";
        let home = types.iter().any(|t| t == "home") || label == "homepage" || label == "home";
        let business_free = !self.bag.contains(PropTag::BUSINESS_HOME_PAGE);
        let personal_free = !self.bag.contains(PropTag::PERSONAL_HOME_PAGE);
        if business_free && (work || !home) {
            self.set(PropTag::BUSINESS_HOME_PAGE, &url)?;
            self.set(PidLid::HTML, &url)?;
        } else if (home || !work) && personal_free {
            self.set(PropTag::PERSONAL_HOME_PAGE, &url)?;
        } else {
            self.keep(e);
        }
        Ok(())
    }

    /// PidLidInstantMessagingAddress holds one address: [MS-OXVCARD]'s
    /// `X-MS-IMADDRESS` wins over `IMPP`, which wins over the
    /// client-specific `X-AIM`, `X-JABBER`, …; the others are kept as text.
    fn im(&mut self, e: &VCardEntry, rank: u8) {
        let value = value_text(e).trim().to_owned();
        if value.is_empty() {
            return;
        }
        match &self.im {
            Some((best, _, _)) if *best <= rank => self.keep(e),
            _ => {
                if let Some((_, _, previous)) = self.im.take() {
                    self.keep(&previous);
                }
                self.im = Some((rank, value, e.clone()));
            }
        }
    }

    fn photo(&mut self, e: &VCardEntry) -> Result<(), VcardError> {
        let data = match e.values.first() {
            Some(VCardValue::Binary(d)) => Some((d.data.clone(), d.content_type.clone())),
            Some(VCardValue::Text(t)) if t.starts_with("data:") => decode_data_uri(t),
            // calcard hands base64 data that decodes to valid UTF-8 over as
            // text (its ENCODING=b parameter is consumed): a 3.0 value that
            // is no URI is such data.
            Some(VCardValue::Text(t)) if self.version == VcardVersion::V3 && !t.is_empty() && !has_uri_scheme(t) => {
                Some((lenient_base64(t).unwrap_or_else(|| t.as_bytes().to_vec()), None))
            }
            _ => None,
        };
        let Some((bytes, content_type)) = data else {
            // A link (PHOTO;VALUE=uri:https://…): no IO here, keep it.
            self.keep(e);
            return Ok(());
        };
        let limit = self.options.limits.max_photo;
        if bytes.len() > limit {
            return Err(VcardError::LimitExceeded { what: "photo bytes", limit });
        }
        if !self.attachments.is_empty() || bytes.is_empty() {
            self.warnings.push("a second or empty PHOTO was dropped".into());
            return Ok(());
        }
        let mime = content_type
            .or_else(|| param_text(e, &VCardParameterName::Type).map(|t| format!("image/{}", t.to_ascii_lowercase())))
            .or_else(|| sniff_image(&bytes).map(str::to_owned))
            .unwrap_or_else(|| "image/jpeg".to_owned());
        self.attachments.push(super::render::photo_attachment(bytes, &mime)?);
        self.bag.insert(PidLid::HAS_PICTURE, PropValue::Bool(true))?;
        Ok(())
    }

    fn other(&mut self, e: &VCardEntry, name: &str) -> Result<(), VcardError> {
        match name {
            "X-ADDRESSBOOKSERVER-KIND" if value_text(e).trim().eq_ignore_ascii_case("group") => self.is_group = true,
            "X-ADDRESSBOOKSERVER-MEMBER" => self.members.push(value_text(e).trim().to_owned()),
            "X-ANNIVERSARY" | "X-MS-ANNIVERSARY" | "X-EVOLUTION-ANNIVERSARY" => {
                self.date(e, PropTag::WEDDING_ANNIVERSARY, PidLid::WEDDING_ANNIVERSARY_LOCAL)?;
            }
            "X-ABDATE" if self.label(e) == Some("anniversary") => {
                self.date(e, PropTag::WEDDING_ANNIVERSARY, PidLid::WEDDING_ANNIVERSARY_LOCAL)?;
            }
            "X-ABRELATEDNAMES" => match self.label(e) {
                Some("spouse") | Some("partner") => self.single(e, PropTag::SPOUSE_NAME)?,
                Some("manager") => self.single(e, PropTag::MANAGER_NAME)?,
                Some("assistant") => self.single(e, PropTag::ASSISTANT)?,
                Some("child") => self.children.push(value_text(e)),
                _ => self.keep(e),
            },
            "X-MS-MANAGER" => self.single(e, PropTag::MANAGER_NAME)?,
            "X-MS-ASSISTANT" | "X-ASSISTANT" => self.single(e, PropTag::ASSISTANT)?,
            "X-MS-SPOUSE" | "X-SPOUSE" => self.single(e, PropTag::SPOUSE_NAME)?,
            "X-MS-CHILD" => self.children.push(value_text(e)),
            "X-MS-IMADDRESS" => self.im(e, 0),
            "X-AIM" | "X-JABBER" | "X-ICQ" | "X-MSN" | "X-YAHOO" | "X-SKYPE" | "X-GTALK" | "X-GOOGLE-TALK"
            | "X-TWITTER" | "X-QQ" => self.im(e, 2),
            "X-MS-TEL" => {
                let types = types(e);
                let slot =
                    PHONES.iter().find(|p| p.ms_type.is_some_and(|t| types.iter().any(|x| x.eq_ignore_ascii_case(t))));
                match slot {
                    Some(p) if self.set_if_absent(p.tag, strip_scheme(value_text(e).trim(), "tel:"))? => {}
                    _ => self.keep(e),
                }
            }
            "X-MS-OL-DEFAULT-POSTAL-ADDRESS" => match value_text(e).trim() {
                "1" => self.postal_address = Some(AddressKind::Home),
                "2" => self.postal_address = Some(AddressKind::Work),
                "3" => self.postal_address = Some(AddressKind::Other),
                _ => {}
            },
            "X-PHONETIC-FIRST-NAME" => self.single_named(e, PidLid::YOMI_FIRST_NAME)?,
            "X-PHONETIC-LAST-NAME" => self.single_named(e, PidLid::YOMI_LAST_NAME)?,
            "X-PHONETIC-ORG" => self.single_named(e, PidLid::YOMI_COMPANY_NAME)?,
            "X-MAPIBRIDGE-FILE-AS" => self.single_named(e, PidLid::FILE_UNDER)?,
            "X-APPLE-OMIT-YEAR" => {}
            "LABEL" => {
                let types = types(e);
                let kind = if types.iter().any(|t| t == "work") {
                    AddressKind::Work
                } else if types.iter().any(|t| t == "home") {
                    AddressKind::Home
                } else {
                    AddressKind::Other
                };
                self.address_labels.push((kind, e.clone()));
            }
            // Outlook's department when ORG has none.
            "X-MS-OL-DEPARTMENT" => {
                if !self.set_if_absent(PropTag::DEPARTMENT_NAME, &value_text(e))?
                    && self.bag.string(PropTag::DEPARTMENT_NAME).as_deref() != Some(value_text(e).trim())
                {
                    self.keep(e);
                }
            }
            "X-ABLABEL" | "X-ABADR" if e.group.is_some() => {}
            _ => self.keep(e),
        }
        Ok(())
    }

    fn single_named(&mut self, e: &VCardEntry, prop: NamedProp) -> Result<(), VcardError> {
        if !self.set_if_absent(prop, &value_text(e))? {
            self.keep(e);
        }
        Ok(())
    }

    fn finish(mut self) -> Result<VcardImport, VcardError> {
        let display_name = self.display_name.clone().unwrap_or_else(|| self.fallback_display_name());
        self.set(PropTag::DISPLAY_NAME, &display_name)?;
        if !self.notes.is_empty() {
            let body = crlf(&self.notes.join("\n\n"));
            self.set(PropTag::BODY, &body)?;
        }
        if !self.categories.is_empty() {
            self.bag.insert(PidName::KEYWORDS, PropValue::MvString(std::mem::take(&mut self.categories)))?;
        }
        if !self.children.is_empty() {
            let children: Vec<String> =
                self.children.iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect();
            self.bag.insert(PropTag::CHILDRENS_NAMES, PropValue::MvString(children))?;
        }
        self.emails(&display_name)?;
        if let Some((_, im, _)) = self.im.take() {
            self.set(PidLid::INSTANT_MESSAGING_ADDRESS, &im)?;
        }
        for (kind, e) in std::mem::take(&mut self.address_labels) {
            match ADDRESSES.iter().find(|a| a.kind == kind) {
                Some(a) if self.addresses_seen.contains(&kind) => self.set(a.whole, &value_text(&e))?,
                _ => self.keep(&e),
            }
        }
        self.mailing_address()?;
        if self.is_group {
            // A group's N only repeats its name (RFC 2426 requires N, Apple
            // writes "Name;;;;"); the list has no person's name parts.
            for t in [
                PropTag::SURNAME,
                PropTag::GIVEN_NAME,
                PropTag::MIDDLE_NAME,
                PropTag::DISPLAY_NAME_PREFIX,
                PropTag::GENERATION,
            ] {
                self.bag.remove(t);
            }
            self.bag.insert(PropTag::MESSAGE_CLASS, PropValue::String("IPM.DistList".into()))?;
            self.set(PidLid::DISTRIBUTION_LIST_NAME, &display_name)?;
            self.members()?;
        } else {
            self.bag.insert(PropTag::MESSAGE_CLASS, PropValue::String("IPM.Contact".into()))?;
            if !self.bag.contains(PidLid::FILE_UNDER) {
                let file_as = default_file_as(&self.bag, &display_name);
                self.set(PidLid::FILE_UNDER, &file_as)?;
            }
            for m in std::mem::take(&mut self.members) {
                self.warnings.push(format!("MEMBER {m} of a card that is no group kept as text"));
                self.extra_line(&format!("X-ADDRESSBOOKSERVER-MEMBER:{m}"));
            }
        }
        if !self.extra.is_empty() {
            let extra = std::mem::take(&mut self.extra);
            self.bag.insert(VCARD_EXTRA, PropValue::String(extra))?;
        }
        let message = Message { props: self.bag, recipients: Vec::new(), attachments: self.attachments };
        Ok(VcardImport { message, uid: self.uid, version: self.version, warnings: self.warnings })
    }

    fn extra_line(&mut self, line: &str) {
        fold_into(&mut self.extra, line);
    }

    fn fallback_display_name(&self) -> String {
        let parts: Vec<String> = [
            PropTag::DISPLAY_NAME_PREFIX,
            PropTag::GIVEN_NAME,
            PropTag::MIDDLE_NAME,
            PropTag::SURNAME,
            PropTag::GENERATION,
        ]
        .iter()
        .filter_map(|t| self.bag.non_empty_string(*t).map(|s| s.into_owned()))
        .collect();
        if !parts.is_empty() {
            return parts.join(" ");
        }
        self.bag
            .non_empty_string(PropTag::COMPANY_NAME)
            .map(|s| s.into_owned())
            .or_else(|| self.emails.first().map(|e| e.2.clone()))
            .unwrap_or_default()
    }

    /// Email1–3 in preference order ([MS-OXOCNTC] 2.2.1.2), with the
    /// display name Outlook shows ("Name (address)", 2.2.1.2.1), the
    /// address as original display name (2.2.1.2.4), a one-off entry id
    /// (2.2.1.2.6) and the address book provider lists (2.2.1.2.8–9).
    fn emails(&mut self, display_name: &str) -> Result<(), VcardError> {
        let mut emails = std::mem::take(&mut self.emails);
        emails.sort_by_key(|(pref, order, _)| (*pref, *order));
        let mut indexes = Vec::new();
        let mut mask = 0;
        for (i, (_, _, addr)) in emails.iter().enumerate() {
            let Some(slot) = EMAILS.get(i) else {
                self.warnings.push(format!("EMAIL {addr} kept as text: Email1-3 are taken"));
                let line = format!("EMAIL:{}", escape_text(addr));
                self.extra_line(&line);
                continue;
            };
            let shown = if display_name.is_empty() { addr.clone() } else { format!("{display_name} ({addr})") };
            self.set(slot.address, addr)?;
            self.set(slot.address_type, "SMTP")?;
            self.set(slot.display_name, &shown)?;
            self.set(slot.original_display_name, addr)?;
            let mut one_off = Vec::new();
            let _ = mapi_wire::Encode::encode(
                &mapi_wire::entry_id::OneOffEntryId::smtp(&shown.replace('\0', ""), &addr.replace('\0', "")),
                &mut one_off,
            );
            self.bag.insert(slot.original_entry_id, PropValue::Binary(one_off))?;
            indexes.push(i as i32);
            mask |= 1 << i;
        }
        if !indexes.is_empty() {
            self.bag.insert(PidLid::ADDRESS_BOOK_PROVIDER_EMAIL_LIST, PropValue::MvI32(indexes))?;
            self.bag.insert(PidLid::ADDRESS_BOOK_PROVIDER_ARRAY_TYPE, PropValue::I32(mask))?;
        }
        Ok(())
    }

    /// PidLidPostalAddressId and the mailing address copy ([MS-OXOCNTC]
    /// 2.2.1.3.9).
    fn mailing_address(&mut self) -> Result<(), VcardError> {
        let Some(kind) = self.postal_address.filter(|k| self.addresses_seen.contains(k)) else { return Ok(()) };
        self.bag.insert(PidLid::POSTAL_ADDRESS_ID, PropValue::I32(kind as i32))?;
        let Some(props) = ADDRESSES.iter().find(|a| a.kind == kind) else { return Ok(()) };
        let fields = [props.po_box, props.street, props.city, props.state, props.postal_code, props.country];
        for (field, tag) in fields.iter().zip(MAILING) {
            let value = match field {
                AddressField::Tag(t) => self.bag.string(*t).map(|s| s.into_owned()),
                AddressField::Named(n) => self.bag.named_string(n).map(|s| s.into_owned()),
            };
            if let Some(v) = value {
                self.set(tag, &v)?;
            }
        }
        if let Some(whole) = self.bag.named_string(&props.whole).map(|s| s.into_owned()) {
            self.set(PropTag::POSTAL_ADDRESS, &whole)?;
        }
        Ok(())
    }

    /// `MEMBER` URIs → PidLidDistributionListMembers / OneOffMembers /
    /// Checksum ([MS-OXOCNTC] 2.2.2.2.1–2.2.2.2.3).
    fn members(&mut self) -> Result<(), VcardError> {
        let limit = self.options.limits.max_members;
        if self.members.len() > limit {
            return Err(VcardError::LimitExceeded { what: "members", limit });
        }
        let mut ids: Vec<MemberIds> = Vec::new();
        let mut unresolved = Vec::new();
        for uri in std::mem::take(&mut self.members) {
            if uri.len() > 7 && uri.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("mailto:")) {
                let addr = uri.get(7..).unwrap_or_default().split('?').next().unwrap_or_default().trim();
                if !addr.is_empty() {
                    ids.push(distlist::mailto_member(addr, ""));
                    continue;
                }
            } else if let Some(m) = self.options.directory.member_by_uid(&uri) {
                ids.push(distlist::directory_member(&m));
                continue;
            }
            if !uri.is_empty() {
                self.warnings.push(format!("MEMBER {uri} is not in this address book; kept by URI"));
                unresolved.push(uri);
            }
        }
        if !unresolved.is_empty() {
            self.bag.insert(VCARD_MEMBERS, PropValue::MvString(unresolved))?;
        }
        let members: Vec<Vec<u8>> = ids.iter().map(|m| m.member.clone()).collect();
        let one_offs: Vec<Vec<u8>> = ids.into_iter().map(|m| m.one_off).collect();
        self.bag.insert(PidLid::DISTRIBUTION_LIST_CHECKSUM, PropValue::I32(distlist::checksum(&members) as i32))?;
        self.bag.insert(PidLid::DISTRIBUTION_LIST_MEMBERS, PropValue::MvBinary(members))?;
        self.bag.insert(PidLid::DISTRIBUTION_LIST_ONE_OFF_MEMBERS, PropValue::MvBinary(one_offs))?;
        Ok(())
    }
}
