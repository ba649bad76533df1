//! The commands of the selected state (RFC 9051 §6.4) and SELECT/EXAMINE
//! themselves (RFC 9051 §6.3.2, RFC 7162 §3.1.2 and §3.2.5 for the
//! CONDSTORE and QRESYNC parameters).

use std::fmt::Write as _;

use imap_codec::imap_types::command::{CommandBody, FetchModifier, SelectParameter, StoreModifier};
use imap_codec::imap_types::fetch::MacroOrMessageDataItemNames;
use imap_codec::imap_types::flag::{Flag as ImapFlag, StoreResponse, StoreType};
use imap_codec::imap_types::mailbox::Mailbox;
use imap_codec::imap_types::sequence::SequenceSet;
use mailbox::{FetchFields, Flag, FlagOp, Flags, MailboxError, UidSet};

use crate::conn::Output;
use crate::fetch::{FetchRequest, fetch};
use crate::search;
use crate::session::{Action, Fail, Session};
use crate::view::{View, uid_set_with_max};
use crate::wire::{self, Str};

/// Flags of a command in the model's terms; `\Recent` and unknown system
/// flags are refused (RFC 9051 §2.3.2: clients cannot set them).
pub(crate) fn model_flags(flags: &[ImapFlag<'_>]) -> Result<Flags, Fail> {
    let mut out = Flags::new();
    for f in flags {
        let s = f.to_string();
        match Flag::parse(&s) {
            Some(flag) => {
                out.insert(flag);
            }
            None => return Err(Fail::Bad(format!("Flag {s} cannot be stored"))),
        }
    }
    Ok(out)
}

impl Session {
    pub(crate) async fn select(
        &mut self,
        tag: &str,
        mailbox: &Mailbox<'_>,
        parameters: &[SelectParameter],
        examine: bool,
        out: &mut Output<'_>,
    ) -> Result<Action, Fail> {
        // RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected.
        if self.view.take().is_some() && self.qresync {
            out.buf.extend_from_slice(b"* OK [CLOSED] Previous mailbox closed\r\n");
        }
        let name = self.mailbox_name(mailbox);
        let folder = self.open(&name).await?;
        // Subscribed first: every change after the snapshot reaches the view.
        let feed = folder.watch().await?;
        let (info, uids) = folder.select_with_uids().await?;
        let read_only = examine || info.read_only;
        let recent = if read_only { UidSet::new() } else { folder.claim_recent().await? };
        let mut view = View::new(folder.clone(), read_only, uids, recent, feed);
        let mut qresync = None;
        for p in parameters {
            match p {
                SelectParameter::CondStore => self.condstore = true,
                SelectParameter::QResync { uid_validity, mod_sequence_value, known_uids, .. } => {
                    if !self.qresync {
                        return Err(Fail::Bad("ENABLE QRESYNC first".into()));
                    }
                    qresync = Some((uid_validity.get(), mod_sequence_value.get(), known_uids.clone()));
                }
            }
        }
        view.condstore = self.condstore;
        view.qresync = self.qresync;
        let b = &mut out.buf;
        b.extend_from_slice(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\r\n");
        b.extend_from_slice(b"* OK [PERMANENTFLAGS ");
        let mut perm = info.permanent_flags.clone();
        if read_only {
            perm = Flags::new();
        }
        let mut list = Vec::new();
        wire::flag_list(&mut list, &perm, false);
        if info.keywords_allowed && !read_only {
            list.pop();
            if list.len() > 1 {
                list.push(b' ');
            }
            list.extend_from_slice(b"\\*)");
        }
        b.extend_from_slice(&list);
        b.extend_from_slice(b"] Flags permitted\r\n");
        let _ = write!(Str(b), "* {} EXISTS\r\n* {} RECENT\r\n", view.exists(), view.recent.len());
        let _ = write!(Str(b), "* OK [UIDVALIDITY {}] UIDs valid\r\n", info.uid_validity);
        let _ = write!(Str(b), "* OK [UIDNEXT {}] Predicted next UID\r\n", info.uid_next);
        let _ = write!(Str(b), "* OK [HIGHESTMODSEQ {}] Highest\r\n", info.highest_modseq);
        if let Some((validity, since, known)) = qresync {
            // RFC 7162 §3.2.5: what changed since the client's state, when
            // its UIDVALIDITY is still current.
            if validity == info.uid_validity.get() {
                let max = view.uids.last().map_or(0, |u| u.get());
                let scope = known.as_ref().map(|k| uid_set_with_max(k, max));
                let (vanished, _complete) = folder.vanished_since(since).await?;
                let vanished = match &scope {
                    Some(s) => intersect(&vanished, s),
                    None => vanished,
                };
                if !vanished.is_empty() {
                    b.extend_from_slice(b"* VANISHED (EARLIER) ");
                    wire::uid_set(b, &vanished);
                    b.extend_from_slice(b"\r\n");
                }
                let changed = folder
                    .fetch(
                        &scope.unwrap_or_else(UidSet::all),
                        FetchFields { flags: true, changed_since: Some(since), ..FetchFields::default() },
                    )
                    .await?;
                for m in changed {
                    if let Some(seq) = view.seq_of(m.uid) {
                        let _ = write!(Str(b), "* {seq} FETCH (UID {} FLAGS ", m.uid);
                        wire::flag_list(b, m.flags.as_ref().unwrap_or(&Flags::new()), view.recent.contains(m.uid));
                        let _ = write!(Str(b), " MODSEQ ({}))\r\n", m.modseq);
                    }
                }
            }
        }
        self.view = Some(view);
        let code = if read_only { "READ-ONLY" } else { "READ-WRITE" };
        let verb = if examine { "EXAMINE" } else { "SELECT" };
        self.ok_code(tag, code, &format!("{verb} completed"), &mut out.buf);
        Ok(Action::Continue)
    }

    fn ok_code(&self, tag: &str, code: &str, text: &str, out: &mut Vec<u8>) {
        let _ = write!(Str(out), "{tag} OK [{code}] {text}\r\n");
    }

    fn view(&mut self) -> Result<&mut View, Fail> {
        self.view.as_mut().ok_or_else(|| Fail::Bad("No mailbox selected".into()))
    }

    /// The UIDs a command's set names, limited to the view.
    fn target(&mut self, set: &SequenceSet, uid: bool) -> Result<UidSet, Fail> {
        let view = self.view()?;
        Ok(if uid { view.known(&view.uid_set(set)) } else { view.seqs_to_uids(set) })
    }

    pub(crate) async fn selected(
        &mut self,
        tag: &str,
        body: CommandBody<'static>,
        out: &mut Output<'_>,
    ) -> Result<Action, Fail> {
        match body {
            CommandBody::Check => {
                self.view()?;
                self.done(tag, "CHECK completed", out, true).await
            }
            CommandBody::Close => {
                let view = self.view.take().ok_or_else(|| Fail::Bad("No mailbox selected".into()))?;
                if !view.read_only {
                    // RFC 9051 §6.4.1: silent expunge.
                    view.folder.expunge(None).await?;
                }
                self.ok_plain(tag, "CLOSE completed", &mut out.buf);
                Ok(Action::Continue)
            }
            CommandBody::Unselect => {
                self.view.take().ok_or_else(|| Fail::Bad("No mailbox selected".into()))?;
                self.ok_plain(tag, "UNSELECT completed", &mut out.buf);
                Ok(Action::Continue)
            }
            CommandBody::Expunge => self.expunge(tag, None, out).await,
            CommandBody::ExpungeUid { sequence_set } => {
                let set = self.target(&sequence_set, true)?;
                self.expunge(tag, Some(set), out).await
            }
            CommandBody::Search { charset, criteria, uid } => {
                let found = self.run_search(charset.as_ref(), criteria.as_ref()).await?;
                let view = self.view()?;
                let mut line = String::from("* SEARCH");
                for u in found.uids.iter() {
                    let n = if uid { Some(u.get()) } else { view.seq_of(u) };
                    if let Some(n) = n {
                        let _ = write!(line, " {n}");
                    }
                }
                if found.modseq && !found.uids.is_empty() {
                    let data = view.folder.fetch(&found.uids, FetchFields::default()).await?;
                    if let Some(max) = data.iter().map(|m| m.modseq.get()).max() {
                        let _ = write!(line, " (MODSEQ {max})");
                    }
                }
                line.push_str("\r\n");
                out.buf.extend_from_slice(line.as_bytes());
                self.done(tag, "SEARCH completed", out, uid).await
            }
            CommandBody::Fetch { sequence_set, macro_or_item_names, uid, modifiers } => {
                let uids = self.target(&sequence_set, uid)?;
                let items = match macro_or_item_names {
                    MacroOrMessageDataItemNames::Macro(m) => {
                        m.expand().into_iter().map(|i| i.into_static_item()).collect()
                    }
                    MacroOrMessageDataItemNames::MessageDataItemNames(v) => v,
                };
                let mut changed_since = None;
                let mut vanished = false;
                for m in &modifiers {
                    match m {
                        FetchModifier::ChangedSince(n) => changed_since = Some(n.get()),
                        FetchModifier::Vanished => vanished = true,
                    }
                }
                if vanished && (!uid || !self.qresync || changed_since.is_none()) {
                    return Err(Fail::Bad("VANISHED needs UID FETCH, QRESYNC and CHANGEDSINCE".into()));
                }
                let view = self.view()?;
                if let (true, Some(since)) = (vanished, changed_since) {
                    // RFC 7162 §3.2.6: the expunged UIDs of the range.
                    let requested = view.uid_set(&sequence_set);
                    let (gone, _) = view.folder.vanished_since(since).await?;
                    let gone = intersect(&gone, &requested);
                    if !gone.is_empty() {
                        out.buf.extend_from_slice(b"* VANISHED (EARLIER) ");
                        wire::uid_set(&mut out.buf, &gone);
                        out.buf.extend_from_slice(b"\r\n");
                    }
                }
                let req = FetchRequest { items: &items, uid, changed_since };
                fetch(view, &uids, &req, out).await?;
                self.done(tag, "FETCH completed", out, uid).await
            }
            CommandBody::Store { sequence_set, kind, response, flags, uid, modifiers } => {
                let uids = self.target(&sequence_set, uid)?;
                let flags = model_flags(&flags)?;
                let op = match kind {
                    StoreType::Replace => FlagOp::Replace(flags),
                    StoreType::Add => FlagOp::Add(flags),
                    StoreType::Remove => FlagOp::Remove(flags),
                };
                let unchanged_since = modifiers.iter().map(|StoreModifier::UnchangedSince(n)| *n).next();
                let view = self.view()?;
                if view.read_only {
                    return Err(Fail::No(Some("READ-ONLY"), "Mailbox is read-only".into()));
                }
                if unchanged_since.is_some() {
                    view.condstore = true;
                }
                let outcome = if uids.is_empty() {
                    mailbox::StoreOutcome::default()
                } else {
                    view.folder.store(&uids, &op, unchanged_since).await?
                };
                for (u, f, modseq) in &outcome.items {
                    view.reported(*u, modseq.get());
                    let Some(seq) = view.seq_of(*u) else { continue };
                    if response == StoreResponse::Silent {
                        // RFC 7162 §3.1.3: the new MODSEQ is sent even then.
                        if unchanged_since.is_some() {
                            let _ = write!(Str(&mut out.buf), "* {seq} FETCH (UID {u} MODSEQ ({modseq}))\r\n");
                        }
                        continue;
                    }
                    let _ = write!(Str(&mut out.buf), "* {seq} FETCH (UID {u} FLAGS ");
                    wire::flag_list(&mut out.buf, f, view.recent.contains(*u));
                    if view.condstore {
                        let _ = write!(Str(&mut out.buf), " MODSEQ ({modseq})");
                    }
                    out.buf.extend_from_slice(b")\r\n");
                }
                if !outcome.modified.is_empty() {
                    let modified = if uid {
                        wire::uid_set_string(&outcome.modified)
                    } else {
                        let seqs: Vec<String> =
                            outcome.modified.iter().filter_map(|u| view.seq_of(u)).map(|s| s.to_string()).collect();
                        seqs.join(",")
                    };
                    return self
                        .done_code(tag, &format!("MODIFIED {modified}"), "Conditional STORE failed", out, uid)
                        .await;
                }
                self.done(tag, "STORE completed", out, uid).await
            }
            CommandBody::Copy { sequence_set, mailbox, uid } => {
                self.copy_or_move(tag, &sequence_set, &mailbox, uid, false, out).await
            }
            CommandBody::Move { sequence_set, mailbox, uid } => {
                self.copy_or_move(tag, &sequence_set, &mailbox, uid, true, out).await
            }
            other => Err(Fail::Bad(format!("{} is not supported", other.name()))),
        }
    }

    /// Runs SEARCH criteria over the view (RFC 9051 §6.4.4); shared by
    /// SEARCH and ESEARCH.
    pub(crate) async fn run_search(
        &mut self,
        charset: Option<&imap_codec::imap_types::core::Charset<'_>>,
        criteria: &[imap_codec::imap_types::search::SearchKey<'_>],
    ) -> Result<SearchFound, Fail> {
        if let Some(cs) = charset {
            let cs = cs.as_ref().to_ascii_uppercase();
            if cs != "UTF-8" && cs != "US-ASCII" {
                return Err(Fail::No(Some("BADCHARSET (UTF-8 US-ASCII)"), "Unsupported charset".into()));
            }
        }
        let view = self.view()?;
        let key = search::translate(criteria, view).map_err(|e| Fail::Bad(e.to_string()))?;
        let uids = view.known(&view.folder.search(&key).await?);
        let modseq = search::uses_modseq(criteria);
        if modseq {
            // RFC 7162 §3.1.5: a MODSEQ search enables CONDSTORE.
            view.condstore = true;
        }
        Ok(SearchFound { uids, modseq })
    }

    fn ok_plain(&self, tag: &str, text: &str, out: &mut Vec<u8>) {
        let _ = write!(Str(out), "{tag} OK {text}\r\n");
    }

    async fn expunge(&mut self, tag: &str, uids: Option<UidSet>, out: &mut Output<'_>) -> Result<Action, Fail> {
        let view = self.view()?;
        if view.read_only {
            return Err(Fail::No(Some("READ-ONLY"), "Mailbox is read-only".into()));
        }
        let gone = view.folder.expunge(uids.as_ref()).await?;
        view.expunge(&gone, &mut out.buf);
        self.done(tag, "EXPUNGE completed", out, true).await
    }

    async fn copy_or_move(
        &mut self,
        tag: &str,
        set: &SequenceSet,
        mailbox: &Mailbox<'_>,
        uid: bool,
        is_move: bool,
        out: &mut Output<'_>,
    ) -> Result<Action, Fail> {
        let uids = self.target(set, uid)?;
        let name = self.mailbox_name(mailbox);
        let target = match self.open(&name).await {
            Ok(f) => f,
            Err(Fail::No(Some("NONEXISTENT"), t)) | Err(Fail::Mailbox(MailboxError::NoSuchFolder(t))) => {
                return Err(Fail::No(Some("TRYCREATE"), t));
            }
            Err(e) => return Err(e),
        };
        let target_id = target.info().id.clone();
        let view = self.view()?;
        if is_move && view.read_only {
            return Err(Fail::No(Some("READ-ONLY"), "Mailbox is read-only".into()));
        }
        if uids.is_empty() {
            return self.done(tag, if is_move { "MOVE completed" } else { "COPY completed" }, out, true).await;
        }
        let (copied, expunged) = if is_move {
            let m = view.folder.move_to(&uids, &target_id).await?;
            (m.copied, Some(m.expunged))
        } else {
            (view.folder.copy(&uids, &target_id).await?, None)
        };
        let src: UidSet = copied.uids.iter().map(|(s, _)| *s).collect();
        let dst: Vec<String> = copied.uids.iter().map(|(_, d)| d.get().to_string()).collect();
        // RFC 4315 §3: the destination UIDs in the order of the source UIDs.
        let code = format!("COPYUID {} {} {}", copied.uid_validity, wire::uid_set_string(&src), dst.join(","));
        match expunged {
            Some(gone) => {
                // RFC 6851 §4.3: COPYUID in an untagged OK before the expunges.
                if !copied.uids.is_empty() {
                    let _ = write!(Str(&mut out.buf), "* OK [{code}] Moved\r\n");
                }
                view.expunge(&gone, &mut out.buf);
                self.done(tag, "MOVE completed", out, true).await
            }
            None if copied.uids.is_empty() => self.done(tag, "COPY completed", out, true).await,
            None => self.done_code(tag, &code, "COPY completed", out, true).await,
        }
    }
}

/// What a search found.
pub(crate) struct SearchFound {
    /// The matching UIDs of the view, ascending.
    pub(crate) uids: UidSet,
    /// The criteria used MODSEQ: the answer carries the highest one.
    pub(crate) modseq: bool,
}

/// `a ∩ b`.
fn intersect(a: &UidSet, b: &UidSet) -> UidSet {
    a.iter().filter(|u| b.contains(*u)).collect()
}

/// Makes the expanded macro items owned.
trait IntoStaticItem {
    fn into_static_item(self) -> imap_codec::imap_types::fetch::MessageDataItemName<'static>;
}

impl IntoStaticItem for imap_codec::imap_types::fetch::MessageDataItemName<'_> {
    fn into_static_item(self) -> imap_codec::imap_types::fetch::MessageDataItemName<'static> {
        imap_codec::imap_types::IntoStatic::into_static(self)
    }
}
