//! Answers to the command forms [`crate::ext`] recognises: LIST-EXTENDED
//! (RFC 5258) with LIST-STATUS (RFC 5819) and the SPECIAL-USE options
//! (RFC 6154 §3), and ESEARCH (RFC 4731).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use imap_codec::imap_types::command::CommandBody;
use mailbox::{FetchFields, Folder, FolderInfo, UidSet};

use crate::conn::Output;
use crate::ext::{ESearch, ExtCommand, ListExtended};
use crate::session::{Action, Fail, Session};
use crate::wire::{self, Str};
use crate::{mutf7, names};

/// One mailbox a LIST-EXTENDED answers with.
#[derive(Default)]
struct Row {
    /// The folder, when it exists and can be selected.
    folder: Option<FolderInfo>,
    attrs: Vec<&'static str>,
    /// RFC 5258 §3.5 CHILDINFO ("SUBSCRIBED").
    child_subscribed: bool,
}

impl Session {
    /// Answers one recognised command (counted and failed like the others).
    pub(crate) async fn handle_ext(&mut self, command: ExtCommand, out: &mut Output<'_>) -> std::io::Result<Action> {
        self.count_command();
        let (tag, result) = match command {
            ExtCommand::Bad { tag, text } => {
                self.bad(Some(&tag), text, &mut out.buf);
                return Ok(Action::Continue);
            }
            ExtCommand::List(list) => {
                let tag = list.tag.clone();
                let r = self.list_extended(&list, out).await;
                (tag, r)
            }
            ExtCommand::Search(search) => {
                let tag = search.tag.clone();
                let r = self.esearch(search, out).await;
                (tag, r)
            }
        };
        match result {
            Ok(a) => Ok(a),
            Err(fail) => {
                self.push_updates(&mut out.buf, true).await;
                self.fail(&tag, fail, &mut out.buf)?;
                Ok(Action::Continue)
            }
        }
    }

    async fn list_extended(&mut self, cmd: &ListExtended, out: &mut Output<'_>) -> Result<Action, Fail> {
        let account = self.account.clone().ok_or_else(|| Fail::Bad("Log in first".into()))?;
        let d = self.names.delim;
        let reference = String::from_utf8_lossy(&cmd.reference).into_owned();
        let patterns: Vec<String> = cmd
            .patterns
            .iter()
            .map(|p| {
                let full = format!("{reference}{}", String::from_utf8_lossy(p));
                mutf7::decode(&full).unwrap_or(full)
            })
            .collect();
        if cmd.patterns.len() == 1 && cmd.patterns.iter().all(Vec::is_empty) {
            // RFC 5258 §3: the delimiter form, as in RFC 3501.
            let _ = write!(Str(&mut out.buf), "* LIST (\\Noselect) \"{d}\" \"\"\r\n");
            return self.done(&cmd.tag, "LIST completed", out, true).await;
        }
        let matching = |name: &str| patterns.iter().any(|p| names::matches(p, name, d));
        let folders: Vec<FolderInfo> = account.list_folders().await?.into_iter().filter(names::listed).collect();
        let subscribed = account.subscriptions().await?;
        let is_subscribed = |name: &str| {
            subscribed
                .iter()
                .any(|s| s == name || (s.eq_ignore_ascii_case("INBOX") && name.eq_ignore_ascii_case("INBOX")))
        };
        let show_subscribed = cmd.subscribed || cmd.ret_subscribed;
        let mut rows: BTreeMap<String, Row> = BTreeMap::new();
        for f in &folders {
            let name = self.names.imap_name(f);
            let sub = is_subscribed(&name);
            if cmd.subscribed && !sub {
                continue;
            }
            if cmd.special_use_only && f.role.and_then(mailbox::SpecialUse::attribute).is_none() {
                continue;
            }
            if !matching(&name) {
                continue;
            }
            let children = folders.iter().any(|c| c.parent.as_ref() == Some(&f.id));
            let mut attrs = vec![if children { "\\HasChildren" } else { "\\HasNoChildren" }];
            if let Some(a) = f.role.and_then(mailbox::SpecialUse::attribute) {
                attrs.push(a);
            }
            if show_subscribed && sub {
                attrs.push("\\Subscribed");
            }
            rows.insert(name, Row { folder: Some(f.clone()), attrs, child_subscribed: false });
        }
        if cmd.subscribed {
            // RFC 5258 §3.1: subscriptions to mailboxes that do not exist
            // are listed too, as \NonExistent.
            for s in &subscribed {
                let exists = folders.iter().any(|f| self.names.imap_name(f) == *s)
                    || (s.eq_ignore_ascii_case("INBOX") && rows.contains_key("INBOX"));
                if !exists && matching(s) && !rows.contains_key(s) {
                    rows.insert(
                        s.clone(),
                        Row { folder: None, attrs: vec!["\\NonExistent", "\\Subscribed"], ..Row::default() },
                    );
                }
            }
            if cmd.recursive_match {
                // RFC 5258 §3.5: a matching parent of a subscribed mailbox
                // is listed with CHILDINFO even when itself not subscribed.
                let candidates: Vec<String> = folders.iter().map(|f| self.names.imap_name(f)).collect();
                for name in candidates {
                    let prefix = format!("{name}{d}");
                    let has_sub_child = subscribed.iter().any(|s| s.starts_with(&prefix));
                    if !has_sub_child || !matching(&name) {
                        continue;
                    }
                    let row = rows.entry(name).or_default();
                    row.child_subscribed = true;
                }
            }
        }
        // The namespace roots, so that hierarchy-walking clients find them.
        if !cmd.subscribed && !cmd.special_use_only {
            for root in [names::OTHER_USERS, names::SHARED] {
                let prefix = format!("{root}{d}");
                if folders.iter().any(|f| self.names.imap_name(f).starts_with(&prefix)) && matching(root) {
                    rows.insert(
                        root.to_owned(),
                        Row { folder: None, attrs: vec!["\\Noselect", "\\HasChildren"], ..Row::default() },
                    );
                }
            }
        }
        for (name, row) in &rows {
            let _ = write!(Str(&mut out.buf), "* LIST ({}) \"{d}\" ", row.attrs.join(" "));
            let wire_name = mutf7::encode(name);
            wire::astring(&mut out.buf, &wire_name);
            if row.child_subscribed {
                out.buf.extend_from_slice(b" (\"CHILDINFO\" (\"SUBSCRIBED\"))");
            }
            out.buf.extend_from_slice(b"\r\n");
            if let (Some(items), Some(info)) = (&cmd.ret_status, &row.folder) {
                // RFC 5819 §2: a mailbox whose status cannot be had is
                // listed without it; the LIST as a whole succeeds.
                if let Ok(folder) = account.folder(&info.id).await
                    && let Ok(parts) = self.status_parts(folder.as_ref(), items).await
                {
                    out.buf.extend_from_slice(b"* STATUS ");
                    wire::astring(&mut out.buf, &wire_name);
                    let _ = write!(Str(&mut out.buf), " ({})\r\n", parts.join(" "));
                }
            }
            out.maybe_flush().await.map_err(Fail::Io)?;
        }
        self.done(&cmd.tag, "LIST completed", out, true).await
    }

    /// The `NAME value` pairs of a STATUS answer for items named in upper
    /// case (RFC 9051 §7.2.4).
    pub(crate) async fn status_parts(&self, folder: &dyn Folder, items: &[String]) -> Result<Vec<String>, Fail> {
        let info = folder.select().await?;
        let mut parts = Vec::new();
        for item in items {
            parts.push(match item.as_str() {
                "MESSAGES" => format!("MESSAGES {}", info.exists),
                "RECENT" => format!("RECENT {}", self.recent_count(folder).await?),
                "UIDNEXT" => format!("UIDNEXT {}", info.uid_next),
                "UIDVALIDITY" => format!("UIDVALIDITY {}", info.uid_validity),
                "UNSEEN" => format!("UNSEEN {}", info.unseen),
                "SIZE" => format!("SIZE {}", info.size),
                "HIGHESTMODSEQ" => format!("HIGHESTMODSEQ {}", info.highest_modseq),
                _ => continue,
            });
        }
        Ok(parts)
    }

    /// RFC 4731: `[UID] SEARCH RETURN (...)` answered with `* ESEARCH`.
    async fn esearch(&mut self, cmd: ESearch, out: &mut Output<'_>) -> Result<Action, Fail> {
        if self.account.is_none() {
            return Err(Fail::Bad("Log in first".into()));
        }
        let CommandBody::Search { charset, criteria, uid } = cmd.command.body else {
            return Err(Fail::Bad("Not a SEARCH".into()));
        };
        let found = self.run_search(charset.as_ref(), criteria.as_ref()).await?;
        let view = self.view.as_ref().ok_or_else(|| Fail::Bad("No mailbox selected".into()))?;
        let number = |u: mailbox::Uid| if uid { Some(u.get()) } else { view.seq_of(u) };
        let numbers: Vec<u32> = found.uids.iter().filter_map(number).collect();
        let ret = cmd.ret;
        let mut line = String::from("* ESEARCH (TAG ");
        let mut quoted = Vec::new();
        wire::string(&mut quoted, cmd.tag.as_bytes());
        line.push_str(&String::from_utf8_lossy(&quoted));
        line.push(')');
        if uid {
            line.push_str(" UID");
        }
        // RFC 4731 §3.1: MIN, MAX and ALL only when something matched;
        // COUNT always.
        let (min, max) = (numbers.first().copied(), numbers.last().copied());
        if ret.min
            && let Some(n) = min
        {
            let _ = write!(line, " MIN {n}");
        }
        if ret.max
            && let Some(n) = max
        {
            let _ = write!(line, " MAX {n}");
        }
        if ret.count {
            let _ = write!(line, " COUNT {}", numbers.len());
        }
        if ret.all && !numbers.is_empty() {
            let _ = write!(line, " ALL {}", compress(&numbers));
        }
        if found.modseq && !found.uids.is_empty() {
            // RFC 4731 §3.2: the highest mod-sequence of the messages
            // returned (all of them unless only MIN/MAX were asked for).
            let scope: UidSet = if ret.all || ret.count {
                found.uids.clone()
            } else {
                let ends = [found.uids.iter().next(), found.uids.iter().last()];
                ends.into_iter().flatten().collect()
            };
            let data = view.folder.fetch(&scope, FetchFields::default()).await?;
            if let Some(m) = data.iter().map(|m| m.modseq.get()).max() {
                let _ = write!(line, " MODSEQ {m}");
            }
        }
        line.push_str("\r\n");
        out.buf.extend_from_slice(line.as_bytes());
        self.done(&cmd.tag, "SEARCH completed", out, uid).await
    }
}

/// Ascending numbers as an RFC 9051 §9 sequence set (`1:3,7`).
fn compress(numbers: &[u32]) -> String {
    let mut s = String::new();
    let mut i = 0;
    while let Some(&start) = numbers.get(i) {
        let mut end = start;
        while numbers.get(i + 1).is_some_and(|&n| Some(n) == end.checked_add(1)) {
            i += 1;
            end = numbers[i];
        }
        if !s.is_empty() {
            s.push(',');
        }
        if start == end {
            let _ = write!(s, "{start}");
        } else {
            let _ = write!(s, "{start}:{end}");
        }
        i += 1;
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn sequence_sets_compress_runs() {
        assert_eq!(super::compress(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
        assert_eq!(super::compress(&[4]), "4");
        assert_eq!(super::compress(&[]), "");
    }
}
