//! Property test: random sequences of add / remove / modify / flag / restart
//! against a simple model keep UIDs unique and ascending, never reused, and
//! mod-sequences strictly growing, with CONDSTORE answers matching the model.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use state::{FlagChange, GatewayFlags, StateStore, SyncBatch, UidSet};

#[derive(Clone, Debug)]
enum Op {
    Sync { add: Vec<u8>, change: Vec<u8>, remove: Vec<u8> },
    Flag { uids: Vec<u8>, set: bool },
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    let keys = || proptest::collection::vec(0u8..24, 0..6);
    prop_oneof![
        6 => (keys(), keys(), keys()).prop_map(|(add, change, remove)| Op::Sync { add, change, remove }),
        2 => (proptest::collection::vec(1u8..40, 0..5), any::<bool>()).prop_map(|(uids, set)| Op::Flag { uids, set }),
        1 => Just(Op::Restart),
    ]
}

/// The model of one folder.
#[derive(Default)]
struct Model {
    live: BTreeMap<Vec<u8>, (u32, u64)>, // key -> (uid, modseq)
    ever: BTreeSet<u32>,
    vanished: BTreeMap<u32, u64>, // uid -> modseq of removal
    highest: u64,
}

#[test]
fn random_operations_keep_uids_unique_monotonic_and_modseqs_growing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut runner = TestRunner::new(Config { cases: 48, ..Config::default() });
    let env = std::cell::RefCell::new(rt.block_on(Env::new()));
    let case = std::cell::Cell::new(0u32);
    runner
        .run(&proptest::collection::vec(op(), 1..25), |ops| {
            case.set(case.get() + 1);
            let case = case.get();
            let mut env = env.borrow_mut();
            rt.block_on(async {
                let fkey = folder_key(&format!("case-{case}"));
                let mut f = env.store.open_folder(&account(), &fkey).await.unwrap();
                let mut m = Model { highest: 1, ..Model::default() };
                for op in ops {
                    match op {
                        Op::Restart => {
                            env.reopen().await;
                            let again = env.store.open_folder(&account(), &fkey).await.unwrap();
                            prop_assert_eq!(again.id, f.id);
                            prop_assert_eq!(again.uid_validity, f.uid_validity);
                            f = again;
                        }
                        Op::Sync { add, change, remove } => {
                            let k =
                                |v: &Vec<u8>| v.iter().map(|&b| vec![b]).map(state::ItemKey::new).collect::<Vec<_>>();
                            let before_max = m.ever.iter().next_back().copied().unwrap_or(0);
                            let out = env
                                .store
                                .commit_sync(
                                    f.id,
                                    SyncBatch {
                                        added: k(&add),
                                        changed: k(&change),
                                        removed: k(&remove),
                                        sync_state: None,
                                    },
                                )
                                .await
                                .unwrap();
                            let touched = out.modseq.map(|s| s.get());
                            if let Some(s) = touched {
                                prop_assert_eq!(s, m.highest + 1, "one modseq per batch");
                                m.highest = s;
                            }
                            // Apply to the model: removals, then additions, then changes.
                            let mut expect_removed = Vec::new();
                            for r in &remove {
                                if let Some((uid, _)) = m.live.remove(&vec![*r]) {
                                    m.vanished.insert(uid, m.highest);
                                    expect_removed.push(uid);
                                }
                            }
                            expect_removed.sort_unstable();
                            prop_assert_eq!(nums(&out.removed), expect_removed);
                            let mut next_new = before_max + 1;
                            for (a, got) in add.iter().zip(&out.added) {
                                match m.live.get_mut(&vec![*a]) {
                                    Some(entry) => {
                                        prop_assert_eq!(got.get(), entry.0, "known item keeps its UID");
                                        entry.1 = m.highest;
                                    }
                                    None => {
                                        prop_assert_eq!(got.get(), next_new, "new UIDs ascend from UIDNEXT");
                                        prop_assert!(m.ever.insert(got.get()), "UID never reused");
                                        m.live.insert(vec![*a], (got.get(), m.highest));
                                        next_new += 1;
                                    }
                                }
                            }
                            prop_assert_eq!(out.added.len(), add.len());
                            for c in &change {
                                if let Some(entry) = m.live.get_mut(&vec![*c]) {
                                    entry.1 = m.highest;
                                }
                            }
                        }
                        Op::Flag { uids, set } => {
                            let set_of: UidSet = uids.iter().map(|&u| uid(u32::from(u))).collect();
                            let change = if set {
                                FlagChange::Add(GatewayFlags::DELETED)
                            } else {
                                FlagChange::Remove(GatewayFlags::DELETED)
                            };
                            let out = env.store.store_flags(f.id, &set_of, change, None).await.unwrap();
                            if let Some(s) = out.modseq {
                                prop_assert_eq!(s.get(), m.highest + 1);
                                m.highest = s.get();
                                for r in out.items.iter().filter(|r| r.modseq == s) {
                                    if let Some(entry) = m.live.get_mut(r.key.as_bytes()) {
                                        entry.1 = s.get();
                                    }
                                }
                            }
                        }
                    }
                    // The store agrees with the model after every step.
                    let st = env.store.folder_state(f.id).await.unwrap();
                    prop_assert_eq!(st.highest_modseq.get(), m.highest);
                    prop_assert_eq!(st.uid_next, m.ever.iter().next_back().copied().unwrap_or(0) + 1);
                    let all = env.store.items_by_uid(f.id, &UidSet::all()).await.unwrap();
                    let got: Vec<(u32, Vec<u8>, u64)> =
                        all.iter().map(|r| (r.uid.get(), r.key.as_bytes().to_vec(), r.modseq.get())).collect();
                    let mut want: Vec<(u32, Vec<u8>, u64)> =
                        m.live.iter().map(|(k, (u, s))| (*u, k.clone(), *s)).collect();
                    want.sort();
                    prop_assert_eq!(got, want);
                }
                // CONDSTORE / QRESYNC answers from every modseq match the model.
                for since in 0..=m.highest {
                    let changed: Vec<u32> =
                        env.store.changed_since(f.id, since).await.unwrap().iter().map(|r| r.uid.get()).collect();
                    let mut want: Vec<u32> = m.live.values().filter(|(_, s)| *s > since).map(|(u, _)| *u).collect();
                    want.sort_unstable();
                    prop_assert_eq!(changed, want);
                    let vanished = env.store.vanished_since(f.id, since).await.unwrap();
                    prop_assert!(vanished.complete);
                    let want: Vec<u32> = m.vanished.iter().filter(|(_, s)| **s > since).map(|(u, _)| *u).collect();
                    prop_assert_eq!(vanished.uids.iter().map(|u| u.get()).collect::<Vec<_>>(), want);
                }
                Ok(())
            })
        })
        .unwrap();
}
