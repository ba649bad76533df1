//! QUOTA (RFC 9208) from the account's quota, through an account that
//! reports one (the in-memory account knows none).

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use common::{PASS, USER};
use imap::{ImapConfig, ImapServer, PlaintextLogin, TlsMode};
use mailbox::{
    Account, AccountProvider, Folder, FolderId, FolderInfo, MailboxError, MemoryAccount, MemoryConfig, Quota,
    Submission, SubmitOutcome,
};

/// The in-memory account with a 10 MiB quota, 2.5 MiB used.
struct WithQuota(MemoryAccount);

#[async_trait]
impl Account for WithQuota {
    fn identity(&self) -> &str {
        self.0.identity()
    }
    fn delimiter(&self) -> char {
        self.0.delimiter()
    }
    async fn list_folders(&self) -> Result<Vec<FolderInfo>, MailboxError> {
        self.0.list_folders().await
    }
    async fn folder_by_path(&self, path: &str) -> Result<Arc<dyn Folder>, MailboxError> {
        self.0.folder_by_path(path).await
    }
    async fn folder(&self, id: &FolderId) -> Result<Arc<dyn Folder>, MailboxError> {
        self.0.folder(id).await
    }
    async fn create_folder(&self, path: &str) -> Result<FolderInfo, MailboxError> {
        self.0.create_folder(path).await
    }
    async fn rename_folder(&self, path: &str, new_path: &str) -> Result<FolderInfo, MailboxError> {
        self.0.rename_folder(path, new_path).await
    }
    async fn delete_folder(&self, path: &str) -> Result<(), MailboxError> {
        self.0.delete_folder(path).await
    }
    async fn subscribe(&self, path: &str) -> Result<(), MailboxError> {
        self.0.subscribe(path).await
    }
    async fn unsubscribe(&self, path: &str) -> Result<bool, MailboxError> {
        self.0.unsubscribe(path).await
    }
    async fn subscriptions(&self) -> Result<Vec<String>, MailboxError> {
        self.0.subscriptions().await
    }
    async fn submit(&self, submission: Submission) -> Result<SubmitOutcome, MailboxError> {
        self.0.submit(submission).await
    }
    async fn quota(&self) -> Result<Option<Quota>, MailboxError> {
        Ok(Some(Quota { used: 2_621_440, limit: 10_485_760 }))
    }
}

struct Provider(Arc<WithQuota>);

#[async_trait]
impl AccountProvider for Provider {
    async fn login(&self, user: &str, password: &str) -> Result<Arc<dyn Account>, MailboxError> {
        if user == USER && password == PASS { Ok(self.0.clone()) } else { Err(MailboxError::AuthenticationFailed) }
    }
}

#[tokio::test]
async fn getquotaroot_and_getquota_report_storage_in_kib() {
    let dir = tempfile::tempdir().expect("dir");
    let store = state::SqliteStore::open(dir.path()).await.expect("state");
    let account = MemoryAccount::new(USER, Arc::new(store), MemoryConfig::default()).await.expect("account");
    let server = ImapServer::new(
        ImapConfig { allow_plaintext_login: PlaintextLogin::Always, ..ImapConfig::default() },
        Arc::new(Provider(Arc::new(WithQuota(account)))),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (_stop, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move { server.serve(listener, TlsMode::StartTls, rx).await });
    let mut c = common::Client::new(tokio::net::TcpStream::connect(addr).await.expect("connect"));
    c.line().await;
    assert!(c.cmd(&format!("LOGIN {USER} {PASS}")).await.contains("QUOTA QUOTA=RES-STORAGE"));
    assert_eq!(
        c.cmd("GETQUOTAROOT INBOX").await,
        "* QUOTAROOT INBOX \"\"\r\n* QUOTA \"\" (STORAGE 2560 10240)\r\nA002 OK GETQUOTAROOT completed\r\n"
    );
    assert_eq!(c.cmd("GETQUOTA \"\"").await, "* QUOTA \"\" (STORAGE 2560 10240)\r\nA003 OK GETQUOTA completed\r\n");
    assert!(c.cmd("GETQUOTA other").await.starts_with("A004 NO [NONEXISTENT]"));
    assert!(c.cmd("SETQUOTA \"\" (STORAGE 1)").await.starts_with("A005 NO [NOPERM]"));
    assert!(c.cmd("GETQUOTAROOT Nowhere").await.starts_with("A006 NO [NONEXISTENT]"));
}
