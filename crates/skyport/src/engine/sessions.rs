//! The sessions of one app: the live ones in this process and, once a store
//! is attached, every session of the deployment in the store (see
//! [`super::fleet`]).

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use dashmap::DashMap;
use skyport_store::StoreError;

use super::fleet::{BusMessage, Fleet};
use super::session::{Negotiated, Session, SessionField, now_ms};

/// The sessions of one app: live ones in this process, and — once a store
/// is attached — every session of the deployment in the store.
#[derive(Debug)]
pub struct Sessions {
    map: DashMap<Arc<str>, Arc<Session>>,
    idle_ttl: Duration,
    retention: usize,
    fleet: OnceLock<Arc<Fleet>>,
}

/// Why a session could not be created.
#[derive(Debug, thiserror::Error)]
#[error("cannot create a session: {0}")]
pub struct SessionStoreError(#[from] StoreError);

impl Sessions {
    /// An empty table; sessions idle longer than `idle_ttl` expire.
    pub fn new(idle_ttl: Duration, retention: usize) -> Self {
        Self {
            map: DashMap::new(),
            idle_ttl,
            retention,
            fleet: OnceLock::new(),
        }
    }

    /// Keeps sessions in the store from now on (once, at start-up).
    pub(crate) fn attach(&self, fleet: Arc<Fleet>) {
        let _ = self.fleet.set(fleet);
    }

    /// The store link, once attached.
    pub fn fleet(&self) -> Option<&Arc<Fleet>> {
        self.fleet.get()
    }

    /// Creates a session with a fresh, unguessable id (signed when a store is
    /// attached, 128 random bits otherwise) and records it in the store.
    pub async fn create(
        &self,
        negotiated: Option<Negotiated>,
    ) -> Result<Arc<Session>, SessionStoreError> {
        let Some(fleet) = self.fleet.get() else {
            let s = self.create_local();
            if let Some(n) = negotiated {
                s.set_negotiated(n);
            }
            return Ok(s);
        };
        let id: Arc<str> = fleet.signer().mint().into();
        let s = Arc::new(Session::new(id.clone(), self.retention, Some(fleet)));
        if let Some(n) = negotiated {
            s.set_negotiated(n);
        }
        fleet
            .coordination()
            .session_create(&id, &s.to_fields(), self.idle_ttl)
            .await?;
        self.map.insert(id, s.clone());
        Ok(s)
    }

    /// Creates a session only this process knows (stdio: one client, one process).
    pub fn create_local(&self) -> Arc<Session> {
        let id: Arc<str> = format!("{:032x}", rand::random::<u128>()).into();
        let s = Arc::new(Session::new(id.clone(), self.retention, None));
        self.map.insert(id, s.clone());
        s
    }

    /// Finds a live session and records the activity.
    ///
    /// With a shared store every call reads the session's stored state (so a
    /// change made through another replica is seen, and an ended session is
    /// gone everywhere); with a store this process owns, the local copy is
    /// authoritative and the store's TTL is renewed lazily. A session this
    /// process has not seen (another replica's, or one from before a restart)
    /// is loaded from the store when its id's signature checks out.
    pub async fn get(&self, id: &str) -> Option<Arc<Session>> {
        let local = self.map.get(id).map(|e| e.value().clone());
        let Some(fleet) = self.fleet.get() else {
            let s = local?;
            s.touch();
            return Some(s);
        };
        if let Some(s) = &local
            && !fleet.is_shared()
        {
            s.touch();
            self.renew_lazily(fleet, s);
            return local;
        }
        if !fleet.signer().verify(id) {
            return None;
        }
        match fleet.coordination().session_get(id, self.idle_ttl).await {
            Ok(Some(fields)) => {
                let s = local.unwrap_or_else(|| {
                    let s = Arc::new(Session::new(id.into(), self.retention, Some(fleet)));
                    self.map.entry(id.into()).or_insert(s).value().clone()
                });
                s.apply_fields(&fields);
                s.touch();
                s.stored_ms.store(now_ms(), Ordering::Relaxed);
                Some(s)
            }
            Ok(None) => {
                if let Some((_, s)) = self.map.remove(id) {
                    s.close();
                }
                None
            }
            Err(e) => {
                // The store is unreachable: carry on with what this process knows.
                tracing::warn!(error = %e, "session lookup failed; using the local copy");
                local
            }
        }
    }

    /// Renews the session's TTL in the store when a quarter of it has passed.
    fn renew_lazily(&self, fleet: &Fleet, s: &Session) {
        let quarter = (self.idle_ttl.as_millis() / 4) as u64;
        let now = now_ms();
        if now.saturating_sub(s.stored_ms.load(Ordering::Relaxed)) > quarter {
            s.stored_ms.store(now, Ordering::Relaxed);
            fleet.touch_later(s.id());
        }
    }

    /// Stores a changed field of `session` and tells the other replicas;
    /// the future completes once both are done, so the client's next request
    /// sees the change wherever it lands. `None` without a store.
    pub fn persist(
        &self,
        session: &Session,
        field: SessionField,
    ) -> Option<impl std::future::Future<Output = ()> + Send + 'static> {
        let fleet = self.fleet.get()?.clone();
        let (name, value) = session.field_value(&field);
        let id = session.id().to_owned();
        let ttl = self.idle_ttl;
        Some(async move {
            let c = fleet.coordination();
            if let Err(e) = c.session_set(&id, &name, value.as_deref(), ttl).await {
                tracing::warn!(error = %e, field = name, "could not store a session change");
                return;
            }
            if fleet.is_shared() {
                fleet
                    .publish_now(&BusMessage::SessionChanged {
                        origin: fleet.replica().to_owned(),
                        session: id,
                    })
                    .await;
            }
        })
    }

    /// Re-reads a session another replica changed, if this process holds it.
    pub(crate) async fn refresh(&self, id: &str) {
        let (Some(fleet), Some(s)) = (
            self.fleet.get(),
            self.map.get(id).map(|e| e.value().clone()),
        ) else {
            return;
        };
        match fleet.coordination().session_get(id, self.idle_ttl).await {
            Ok(Some(fields)) => s.apply_fields(&fields),
            Ok(None) => self.forget(id),
            Err(e) => tracing::warn!(error = %e, "could not re-read a changed session"),
        }
    }

    /// The session if this process holds it (no store lookup).
    pub(crate) fn local(&self, id: &str) -> Option<Arc<Session>> {
        self.map.get(id).map(|e| e.value().clone())
    }

    /// Ends a session everywhere; false when this process did not hold it.
    pub fn remove(&self, id: &str) -> bool {
        if let Some(fleet) = self.fleet.get() {
            fleet.end_later(id);
        }
        match self.map.remove(id) {
            Some((_, s)) => {
                s.close();
                true
            }
            None => false,
        }
    }

    /// Ends a session in the store and everywhere; false when it did not exist.
    pub async fn delete(&self, id: &str) -> bool {
        let Some(fleet) = self.fleet.get() else {
            return self.remove(id);
        };
        if !fleet.signer().verify(id) {
            return false;
        }
        let existed = match fleet.coordination().session_delete(id).await {
            Ok(existed) => existed,
            Err(e) => {
                tracing::warn!(error = %e, "could not delete a session from the store");
                self.map.contains_key(id)
            }
        };
        self.remove(id) || existed
    }

    /// Closes this process's copy of a session another replica ended.
    pub(crate) fn forget(&self, id: &str) {
        if let Some((_, s)) = self.map.remove(id) {
            s.close();
        }
    }

    /// Number of sessions held in this process.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when this process holds no session.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Drops this process's copies of sessions idle past the TTL that have no
    /// open stream (the store expires its own), and renews the store's TTL of
    /// sessions whose stream is open here. Returns how many were dropped.
    pub fn sweep(&self) -> usize {
        let fleet = self.fleet.get();
        let mut expired = Vec::new();
        for e in self.map.iter() {
            let s = e.value();
            if s.has_push() {
                if let Some(f) = fleet {
                    f.touch_later(s.id());
                }
            } else if s.idle_for() > self.idle_ttl {
                expired.push(e.key().clone());
            }
        }
        expired
            .iter()
            .filter(|id| match self.map.remove(id.as_ref()) {
                Some((_, s)) => {
                    s.close();
                    true
                }
                None => false,
            })
            .count()
    }

    /// Closes every session held here (shutdown); the store keeps them, so
    /// clients carry on with another replica or after a restart.
    pub fn close_all(&self) {
        let ids: Vec<Arc<str>> = self.map.iter().map(|e| e.key().clone()).collect();
        for id in ids {
            self.forget(&id);
        }
    }
}
