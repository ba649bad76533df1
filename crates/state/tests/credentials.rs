//! Credentials the gateway keeps per account: stored, replaced, kept across
//! a reopen, per account and kind, deleted.

mod common;

use common::*;
use state::{AccountId, StateStore};

#[tokio::test]
async fn credentials_are_kept_per_account_and_kind_across_reopen() {
    let mut env = Env::new().await;
    let alice = AccountId::new("alice@example.test");
    let bob = AccountId::new("bob@example.test");
    assert_eq!(env.store.credential(&alice, "oauth.refresh").await.unwrap(), None);
    env.store.put_credential(&alice, "oauth.refresh", b"sealed-1").await.unwrap();
    env.store.put_credential(&alice, "password", b"$argon2id$...").await.unwrap();
    env.store.put_credential(&alice, "oauth.refresh", b"sealed-2").await.unwrap();
    assert_eq!(env.store.credential(&bob, "oauth.refresh").await.unwrap(), None);

    env.reopen().await;
    assert_eq!(env.store.credential(&alice, "oauth.refresh").await.unwrap().as_deref(), Some(&b"sealed-2"[..]));
    assert_eq!(env.store.credential(&alice, "password").await.unwrap().as_deref(), Some(&b"$argon2id$..."[..]));
    assert!(env.store.delete_credential(&alice, "oauth.refresh").await.unwrap());
    assert!(!env.store.delete_credential(&alice, "oauth.refresh").await.unwrap());
    assert_eq!(env.store.credential(&alice, "oauth.refresh").await.unwrap(), None);
    assert!(env.store.credential(&alice, "password").await.unwrap().is_some());
}
