//! The coordination contract (src/coordination/mod.rs), run against every
//! coordination backend: SQLite, PostgreSQL (`TEST_POSTGRES_URL`) and Redis
//! (`TEST_REDIS_URL`). The "two stores" checks open the backend twice, as two
//! replicas would.

mod common;

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use skyport_store::Coordination;
use skyport_store::coordination::{Delivery, SessionFields, Subscription, events_channel};

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let f = super::common::sqlite().await;
                    super::$name(f.store.coordination.clone(), None).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some((a, b)) = super::common::pair("postgres", stringify!($name)).await else { return };
                    super::$name(a.store.coordination.clone(), Some(b.store.coordination.clone())).await;
                }
            )*
        }
        mod redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some((a, b)) = super::common::pair("redis", stringify!($name)).await else { return };
                    super::$name(a.store.coordination.clone(), Some(b.store.coordination.clone())).await;
                }
            )*
        }
    };
}

contract!(
    sessions_hold_fields_per_field,
    sessions_expire_when_idle,
    rate_limits_count_per_window_across_stores,
    pubsub_delivers_in_order_to_every_subscriber,
    pubsub_crosses_stores_and_carries_large_payloads,
    events_are_bounded_resumable_and_announced,
    sweep_removes_what_expired,
);

type Coord = Arc<dyn Coordination>;
const TTL: Duration = Duration::from_secs(60);

fn fields(pairs: &[(&str, &str)]) -> SessionFields {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect()
}

async fn next_message(sub: &mut Subscription) -> Vec<u8> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), sub.next()).await {
            Ok(Some(Delivery::Message(m))) => return m,
            Ok(Some(Delivery::Lagged)) => continue,
            Ok(None) => panic!("subscription ended"),
            Err(_) => panic!("no message within 5 s"),
        }
    }
}

async fn sessions_hold_fields_per_field(c: Coord, other: Option<Coord>) {
    c.session_create("s1", &fields(&[("a", "1")]), TTL)
        .await
        .unwrap();
    assert_eq!(
        c.session_get("s1", TTL).await.unwrap(),
        Some(fields(&[("a", "1")]))
    );
    // Two writers of different fields (another replica, if any) both survive.
    let b = other.clone().unwrap_or_else(|| c.clone());
    let (x, y) = tokio::join!(
        c.session_set("s1", "x", Some(b"X"), TTL),
        b.session_set("s1", "y", Some(b"Y"), TTL)
    );
    assert!(x.unwrap() && y.unwrap());
    assert_eq!(
        b.session_get("s1", TTL).await.unwrap(),
        Some(fields(&[("a", "1"), ("x", "X"), ("y", "Y")]))
    );
    assert!(c.session_set("s1", "a", None, TTL).await.unwrap());
    assert_eq!(
        c.session_get("s1", TTL).await.unwrap(),
        Some(fields(&[("x", "X"), ("y", "Y")]))
    );
    // An empty session still exists.
    c.session_create("empty", &SessionFields::new(), TTL)
        .await
        .unwrap();
    assert_eq!(
        c.session_get("empty", TTL).await.unwrap(),
        Some(SessionFields::new())
    );
    assert!(c.session_touch("s1", TTL).await.unwrap());
    assert!(b.session_delete("s1").await.unwrap());
    assert!(!c.session_delete("s1").await.unwrap());
    assert_eq!(c.session_get("s1", TTL).await.unwrap(), None);
    assert!(
        !c.session_set("s1", "x", Some(b"X"), TTL).await.unwrap(),
        "no write to an ended session"
    );
    assert_eq!(c.session_get("never", TTL).await.unwrap(), None);
}

async fn sessions_expire_when_idle(c: Coord, _: Option<Coord>) {
    let short = Duration::from_millis(300);
    c.session_create("idle", &fields(&[("a", "1")]), short)
        .await
        .unwrap();
    c.session_create("busy", &fields(&[("a", "1")]), short)
        .await
        .unwrap();
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(
            c.session_touch("busy", short).await.unwrap(),
            "touched sessions live on"
        );
    }
    assert_eq!(c.session_get("idle", short).await.unwrap(), None);
    assert!(!c.session_touch("idle", short).await.unwrap());
    assert!(!c.session_set("idle", "b", Some(b"2"), short).await.unwrap());
    assert!(!c.session_delete("idle").await.unwrap());
    assert!(c.session_get("busy", short).await.unwrap().is_some());
}

async fn rate_limits_count_per_window_across_stores(c: Coord, other: Option<Coord>) {
    let window = Duration::from_millis(800);
    // Start at the beginning of a window so all hits fall in it.
    let first = c.rate_hit("warm", 1, window).await.unwrap();
    tokio::time::sleep(first.reset_after + Duration::from_millis(10)).await;
    let b = other.unwrap_or_else(|| c.clone());
    let mut decisions = Vec::new();
    for i in 0..5 {
        let store = if i % 2 == 0 { &c } else { &b };
        decisions.push(store.rate_hit("client-1", 3, window).await.unwrap());
    }
    let counts: Vec<u64> = decisions.iter().map(|d| d.count).collect();
    assert_eq!(
        counts,
        [1, 2, 3, 4, 5],
        "hits from both stores count together"
    );
    let allowed: Vec<bool> = decisions.iter().map(|d| d.allowed).collect();
    assert_eq!(allowed, [true, true, true, false, false]);
    assert_eq!(decisions[1].remaining, 1);
    assert!(decisions[4].reset_after <= window);
    assert_eq!(
        c.rate_hit("client-2", 3, window).await.unwrap().count,
        1,
        "keys are separate"
    );
    tokio::time::sleep(decisions[4].reset_after + Duration::from_millis(20)).await;
    assert_eq!(
        c.rate_hit("client-1", 3, window).await.unwrap().count,
        1,
        "a new window starts afresh"
    );
}

async fn pubsub_delivers_in_order_to_every_subscriber(c: Coord, _: Option<Coord>) {
    let mut s1 = c.subscribe("chan").await.unwrap();
    let mut s2 = c.subscribe("chan").await.unwrap();
    let mut other = c.subscribe("other").await.unwrap();
    for i in 0..20 {
        c.publish("chan", format!("m{i}").as_bytes()).await.unwrap();
    }
    c.publish("other", b"o").await.unwrap();
    for sub in [&mut s1, &mut s2] {
        for i in 0..20 {
            assert_eq!(next_message(sub).await, format!("m{i}").into_bytes());
        }
    }
    assert_eq!(next_message(&mut other).await, b"o");
    drop(s1);
    c.publish("chan", b"after").await.unwrap();
    assert_eq!(next_message(&mut s2).await, b"after");
}

async fn pubsub_crosses_stores_and_carries_large_payloads(c: Coord, other: Option<Coord>) {
    let b = other.unwrap_or_else(|| c.clone());
    let mut sub = b.subscribe("big").await.unwrap();
    let big: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    c.publish("big", &big).await.unwrap();
    c.publish("big", b"").await.unwrap();
    assert_eq!(next_message(&mut sub).await, big);
    assert_eq!(next_message(&mut sub).await, b"");
}

async fn events_are_bounded_resumable_and_announced(c: Coord, other: Option<Coord>) {
    let b = other.unwrap_or_else(|| c.clone());
    assert!(!b.events_after("st", 0, 100).await.unwrap().known);
    let mut wake = b.subscribe(&events_channel("st")).await.unwrap();
    for seq in 1..=50u64 {
        c.events_append("st", seq, format!("e{seq}").as_bytes(), 10, TTL)
            .await
            .unwrap();
    }
    next_message(&mut wake).await;
    // A retried append changes nothing.
    c.events_append("st", 50, b"e50", 10, TTL).await.unwrap();
    let page = b.events_after("st", 0, 100).await.unwrap();
    assert!(page.known && !page.finished);
    let seqs: Vec<u64> = page.events.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        seqs,
        (41..=50).collect::<Vec<_>>(),
        "the newest 10 are kept"
    );
    assert_eq!(page.events[9].1, b"e50");
    let page = b.events_after("st", 47, 2).await.unwrap();
    assert_eq!(
        page.events.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [48, 49]
    );
    c.events_finish("st", TTL).await.unwrap();
    let page = b.events_after("st", 50, 100).await.unwrap();
    assert!(page.finished && page.events.is_empty());
    // A stream nobody appends to expires.
    c.events_append("brief", 1, b"x", 10, Duration::from_millis(200))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(!c.events_after("brief", 0, 10).await.unwrap().known);
}

async fn sweep_removes_what_expired(c: Coord, _: Option<Coord>) {
    let short = Duration::from_millis(100);
    c.session_create("old", &fields(&[("a", "1")]), short)
        .await
        .unwrap();
    c.session_create("young", &fields(&[("a", "1")]), TTL)
        .await
        .unwrap();
    c.rate_hit("old-client", 10, short).await.unwrap();
    c.events_append("old-stream", 1, b"x", 10, short)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    let removed = c.sweep().await.unwrap();
    if c.backend() != skyport_store::Backend::Redis {
        assert!(removed >= 3, "removed {removed}");
    }
    assert!(c.session_get("young", TTL).await.unwrap().is_some());
    assert_eq!(c.session_get("old", TTL).await.unwrap(), None);
}
