//! The records contract (src/records/mod.rs), run against every records
//! backend: SQLite, and PostgreSQL when `TEST_POSTGRES_URL` is set.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{Value, json};
use skyport_store::records::*;
use skyport_store::{Records, StoreError};

/// Generates one `#[tokio::test]` per backend for each contract check.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let f = super::common::sqlite().await;
                    super::$name(f.store.records.clone()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(f) = super::common::postgres(stringify!($name)).await else { return };
                    super::$name(f.store.records.clone()).await;
                }
            )*
        }
    };
}

contract!(
    kv_versions_and_conditional_writes,
    kv_counters_and_listing,
    users_are_unique_by_email_in_any_case,
    carts_add_remove_and_scope,
    checkout_is_idempotent_and_validated,
    memberships_keep_their_start,
    tasks_get_sequential_ids_and_versions,
    task_listing_filters_sorts_and_pages,
    task_priority_order_and_imported_times,
    concurrent_cart_adds_all_count,
    concurrent_counters_all_count,
    concurrent_get_or_put_agree_on_the_first_value,
    concurrent_versioned_updates_have_one_winner,
    concurrent_task_creation_gives_distinct_ids,
    api_keys_are_listed_and_revoked,
);

type Db = Arc<dyn Records>;

fn line(sku: &str, quantity: i64) -> CartLine {
    CartLine {
        sku: sku.into(),
        title: format!("Product {sku}"),
        unit_price_cents: 250,
        quantity,
    }
}

fn new_task(backlog: &str, title: &str) -> NewTask {
    NewTask {
        backlog: backlog.into(),
        title: title.into(),
        status: "open".into(),
        priority: "medium".into(),
        ..NewTask::default()
    }
}

async fn kv_versions_and_conditional_writes(db: Db) {
    assert!(db.kv_get("app", "k").await.unwrap().is_none());
    assert_eq!(db.kv_put("app", "k", &json!({"a": 1})).await.unwrap(), 1);
    assert_eq!(db.kv_put("app", "k", &json!({"a": 2})).await.unwrap(), 2);
    let e = db.kv_get("app", "k").await.unwrap().unwrap();
    assert_eq!((e.value, e.version), (json!({"a": 2}), 2));
    // Namespaces are separate.
    assert!(db.kv_get("other", "k").await.unwrap().is_none());
    // Conditional writes.
    assert!(matches!(
        db.kv_put_if("app", "k", &json!(0), None).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        db.kv_put_if("app", "k", &json!(0), Some(1)).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        db.kv_put_if("app", "k", &json!(3), Some(2)).await.unwrap(),
        3
    );
    assert_eq!(
        db.kv_put_if("app", "fresh", &json!(1), None).await.unwrap(),
        1
    );
    // Several keys in one read, in the order asked, gaps included.
    let many = db
        .kv_get_many("app", &["fresh", "missing", "k", "fresh"])
        .await
        .unwrap();
    let got: Vec<Option<Value>> = many.into_iter().map(|e| e.map(|e| e.value)).collect();
    assert_eq!(got, [Some(json!(1)), None, Some(json!(3)), Some(json!(1))]);
    assert!(db.kv_get_many("other", &["k"]).await.unwrap()[0].is_none());
    assert!(db.kv_get_many("app", &[]).await.unwrap().is_empty());
    let too_many: Vec<&str> = vec!["k"; 101];
    assert!(matches!(
        db.kv_get_many("app", &too_many).await,
        Err(StoreError::Invalid { .. })
    ));
    assert!(db.kv_delete("app", "k").await.unwrap());
    assert!(!db.kv_delete("app", "k").await.unwrap());
    assert!(matches!(
        db.kv_get("app", "").await,
        Err(StoreError::Invalid { .. })
    ));
}

async fn kv_counters_and_listing(db: Db) {
    assert_eq!(db.kv_incr("app", "n", 5).await.unwrap(), 5);
    assert_eq!(db.kv_incr("app", "n", -2).await.unwrap(), 3);
    db.kv_put("app", "text", &json!("hello")).await.unwrap();
    assert!(matches!(
        db.kv_incr("app", "text", 1).await,
        Err(StoreError::Invalid { .. })
    ));
    for k in ["p/b", "p/a", "p/c", "q/a"] {
        db.kv_put("app", k, &json!(k)).await.unwrap();
    }
    let keys = |v: Vec<KvEntry>| v.into_iter().map(|e| e.key).collect::<Vec<_>>();
    assert_eq!(
        keys(db.kv_list("app", "p/", None, 10).await.unwrap()),
        ["p/a", "p/b", "p/c"]
    );
    assert_eq!(
        keys(db.kv_list("app", "p/", Some("p/a"), 1).await.unwrap()),
        ["p/b"]
    );
    assert!(matches!(
        db.kv_list("app", "p/", None, 0).await,
        Err(StoreError::Invalid { .. })
    ));
}

async fn users_are_unique_by_email_in_any_case(db: Db) {
    let u = db
        .create_user(NewUser {
            email: "Ada@Example.com".into(),
            name: "Ada".into(),
            password_hash: "$argon2id$v=19$stub".into(),
            profile: json!({"city": "London"}),
        })
        .await
        .unwrap();
    assert_eq!(u.email, "ada@example.com");
    assert!(u.id.starts_with("usr_"));
    let again = db
        .create_user(NewUser {
            email: "ADA@example.com".into(),
            name: "Other".into(),
            password_hash: "x".into(),
            profile: json!({}),
        })
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    assert_eq!(
        db.user_by_email("ada@EXAMPLE.com")
            .await
            .unwrap()
            .unwrap()
            .id,
        u.id
    );
    let changed = db
        .update_user(
            &u.id,
            UserPatch {
                name: Some("Ada L.".into()),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (changed.name.as_str(), changed.profile["city"].as_str()),
        ("Ada L.", Some("London"))
    );
    assert!(matches!(
        db.update_user("usr_nobody", UserPatch::default()).await,
        Err(StoreError::NotFound { .. })
    ));
    // The hash is never serialised.
    assert!(
        serde_json::to_string(&changed)
            .unwrap()
            .find("argon2")
            .is_none()
    );
}

async fn carts_add_remove_and_scope(db: Db) {
    let cart = db.create_cart("alice").await.unwrap();
    db.cart_add("alice", &cart.id, line("a", 2)).await.unwrap();
    db.cart_add("alice", &cart.id, line("b", 1)).await.unwrap();
    let c = db.cart_add("alice", &cart.id, line("a", 3)).await.unwrap();
    assert_eq!(
        c.lines
            .iter()
            .map(|l| (l.sku.as_str(), l.quantity))
            .collect::<Vec<_>>(),
        [("a", 5), ("b", 1)]
    );
    assert_eq!(c.version, 4);
    let c = db.cart_add("alice", &cart.id, line("b", -1)).await.unwrap();
    assert_eq!(c.lines.len(), 1, "a line reaching 0 is removed");
    let c = db
        .cart_set_quantity("alice", &cart.id, "a", 7)
        .await
        .unwrap();
    assert_eq!(c.lines[0].quantity, 7);
    // Another owner sees nothing and changes nothing.
    assert!(db.cart("mallory", &cart.id).await.unwrap().is_none());
    assert!(matches!(
        db.cart_add("mallory", &cart.id, line("a", 1)).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        db.cart_add("alice", &cart.id, line("a", 0)).await,
        Err(StoreError::Invalid { .. })
    ));
    assert!(matches!(
        db.cart_add("alice", &cart.id, line("a", 10_000_000)).await,
        Err(StoreError::Invalid { .. })
    ));
    assert_eq!(
        db.cart("alice", &cart.id).await.unwrap().unwrap().lines[0].quantity,
        7
    );
}

async fn checkout_is_idempotent_and_validated(db: Db) {
    let order_of = |cart_id: &str, key: &str| NewOrder {
        user_id: "u1".into(),
        cart_id: cart_id.into(),
        cart_owner: "u1".into(),
        tax_cents: 100,
        shipping_cents: 500,
        details: json!({"ship_to": "1 Main St"}),
        idempotency_key: key.into(),
        expected_cart_version: None,
    };
    let empty = db.create_cart("u1").await.unwrap();
    assert!(matches!(
        db.place_order(order_of(&empty.id, "k0")).await,
        Err(StoreError::Invalid { .. })
    ));
    let cart = db.create_cart("u1").await.unwrap();
    db.cart_add("u1", &cart.id, line("a", 2)).await.unwrap();
    let mut stale = order_of(&cart.id, "k-stale");
    stale.expected_cart_version = Some(1);
    assert!(matches!(
        db.place_order(stale).await,
        Err(StoreError::Conflict { .. })
    ));
    let o = db.place_order(order_of(&cart.id, "k1")).await.unwrap();
    assert_eq!((o.subtotal_cents, o.total_cents), (500, 1100));
    // A retry returns the same order; a new key on a checked-out cart conflicts.
    assert_eq!(
        db.place_order(order_of(&cart.id, "k1")).await.unwrap().id,
        o.id
    );
    assert!(matches!(
        db.place_order(order_of(&cart.id, "k2")).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        db.cart_add("u1", &cart.id, line("b", 1)).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(db.orders_for_user("u1", 10).await.unwrap().len(), 1);
    assert!(db.order("u2", &o.id).await.unwrap().is_none());
    assert_eq!(db.order("u1", &o.id).await.unwrap().unwrap().lines, o.lines);
}

async fn memberships_keep_their_start(db: Db) {
    let m = db.set_membership("u1", "basic", "active").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let up = db.set_membership("u1", "plus", "active").await.unwrap();
    assert_eq!((up.tier.as_str(), up.started_at), ("plus", m.started_at));
    assert!(db.membership("u2").await.unwrap().is_none());
}

async fn tasks_get_sequential_ids_and_versions(db: Db) {
    let a = db.create_task(new_task("b1", "First")).await.unwrap();
    let b = db.create_task(new_task("b1", "Second")).await.unwrap();
    let other = db.create_task(new_task("b2", "Elsewhere")).await.unwrap();
    assert_eq!(
        (a.id.as_str(), b.id.as_str(), other.id.as_str()),
        ("T-1", "T-2", "T-1")
    );
    // Imported ids move the counter on.
    let mut imported = new_task("b1", "Imported");
    imported.id = Some("T-10".into());
    db.create_task(imported.clone()).await.unwrap();
    assert!(matches!(
        db.create_task(imported).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        db.create_task(new_task("b1", "Next")).await.unwrap().id,
        "T-11"
    );
    // Idempotency key.
    let mut keyed = new_task("b1", "Keyed");
    keyed.idempotency_key = Some("req-1".into());
    let k1 = db.create_task(keyed.clone()).await.unwrap();
    assert_eq!(db.create_task(keyed).await.unwrap().id, k1.id);
    // Versioned updates.
    let patch = TaskPatch {
        status: Some("done".into()),
        epic: Some(Some("E1".into())),
        ..TaskPatch::default()
    };
    let u = db
        .update_task("b1", "T-1", patch.clone(), Some(1))
        .await
        .unwrap();
    assert_eq!(
        (u.status.as_str(), u.epic.as_deref(), u.version),
        ("done", Some("E1"), 2)
    );
    assert!(matches!(
        db.update_task("b1", "T-1", patch.clone(), Some(1)).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        db.update_task("b1", "T-99", patch, None).await,
        Err(StoreError::NotFound { .. })
    ));
    let cleared = db
        .update_task(
            "b1",
            "T-1",
            TaskPatch {
                epic: Some(None),
                ..TaskPatch::default()
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(cleared.epic, None);
    assert!(
        db.task("b2", "T-2").await.unwrap().is_none(),
        "backlogs are separate"
    );
    assert!(db.delete_task("b1", "T-2").await.unwrap());
    assert!(!db.delete_task("b1", "T-2").await.unwrap());
}

async fn task_listing_filters_sorts_and_pages(db: Db) {
    for i in 1..=25 {
        let mut t = new_task(
            "list",
            &format!(
                "Task {i:02} {}",
                if i % 5 == 0 { "100% done_ish" } else { "plain" }
            ),
        );
        t.status = if i % 2 == 0 {
            "done".into()
        } else {
            "open".into()
        };
        t.sprint = Some(format!("S{}", i % 3));
        db.create_task(t).await.unwrap();
    }
    let q = |f: fn(&mut TaskQuery)| {
        let mut q = TaskQuery {
            backlog: "list".into(),
            limit: 10,
            ..TaskQuery::default()
        };
        f(&mut q);
        q
    };
    let page = db.list_tasks(&q(|_| {})).await.unwrap();
    assert_eq!((page.items.len(), page.total), (10, 25));
    assert_eq!(page.items[0].id, "T-1");
    let last = db.list_tasks(&q(|q| q.offset = 20)).await.unwrap();
    assert_eq!(
        last.items.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        ["T-21", "T-22", "T-23", "T-24", "T-25"]
    );
    assert_eq!(
        db.list_tasks(&q(|q| q.statuses = vec!["done".into()]))
            .await
            .unwrap()
            .total,
        12
    );
    assert_eq!(
        db.list_tasks(&q(|q| q.statuses = vec!["done".into(), "open".into()]))
            .await
            .unwrap()
            .total,
        25
    );
    assert_eq!(
        db.list_tasks(&q(|q| q.sprint = Some("S0".into())))
            .await
            .unwrap()
            .total,
        8
    );
    // `%` and `_` are literal in text search, which ignores case.
    assert_eq!(
        db.list_tasks(&q(|q| q.text = Some("100% DONE_".into())))
            .await
            .unwrap()
            .total,
        5
    );
    assert_eq!(
        db.list_tasks(&q(|q| q.text = Some("_".into())))
            .await
            .unwrap()
            .total,
        5
    );
    let by_title = db
        .list_tasks(&q(|q| {
            q.sort = TaskSort::Title;
            q.limit = 2
        }))
        .await
        .unwrap();
    assert_eq!(by_title.items[0].title, "Task 01 plain");
    assert!(matches!(
        db.list_tasks(&q(|q| q.limit = 501)).await,
        Err(StoreError::Invalid { .. })
    ));
    // Counts per sprint and status, in one query.
    let mut counts = db.task_counts("list", TaskGroup::Sprint).await.unwrap();
    counts.sort_by(|a, b| (&a.group, &a.status).cmp(&(&b.group, &b.status)));
    let s0: Vec<(&str, u64)> = counts
        .iter()
        .filter(|c| c.group.as_deref() == Some("S0"))
        .map(|c| (c.status.as_str(), c.count))
        .collect();
    assert_eq!(s0, [("done", 4), ("open", 4)]);
    assert_eq!(counts.iter().map(|c| c.count).sum::<u64>(), 25);
}

async fn task_priority_order_and_imported_times(db: Db) {
    for (title, priority) in [
        ("a", "low"),
        ("b", "urgent"),
        ("c", "medium"),
        ("d", "high"),
    ] {
        let mut t = new_task("prio", title);
        t.priority = priority.into();
        db.create_task(t).await.unwrap();
    }
    let page = db
        .list_tasks(&TaskQuery {
            backlog: "prio".into(),
            sort: TaskSort::Priority,
            limit: 10,
            ..TaskQuery::default()
        })
        .await
        .unwrap();
    let order: Vec<&str> = page.items.iter().map(|t| t.priority.as_str()).collect();
    assert_eq!(order, ["urgent", "high", "medium", "low"]);
    // An import keeps the file's times and id, and later ids move past it.
    let mut imported = new_task("prio", "from a file");
    imported.id = Some("T-40".into());
    imported.created_at = Some(1_700_000_000_000);
    imported.updated_at = Some(1_700_000_500_000);
    let t = db.create_task(imported).await.unwrap();
    assert_eq!(
        (t.created_at, t.updated_at),
        (1_700_000_000_000, 1_700_000_500_000)
    );
    assert_eq!(
        db.create_task(new_task("prio", "next")).await.unwrap().id,
        "T-41"
    );
    let groups = db.task_counts("prio", TaskGroup::Epic).await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!((groups[0].group.as_deref(), groups[0].count), (None, 6));
}

async fn concurrent_cart_adds_all_count(db: Db) {
    let cart = db.create_cart("c").await.unwrap();
    let mut handles = Vec::new();
    for i in 0..64 {
        let (db, id) = (db.clone(), cart.id.clone());
        handles.push(tokio::spawn(async move {
            db.cart_add("c", &id, line("same", 1)).await.unwrap();
            db.cart_add("c", &id, line(&format!("sku{}", i % 4), 2))
                .await
                .unwrap();
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let c = db.cart("c", &cart.id).await.unwrap().unwrap();
    let q = |sku: &str| c.lines.iter().find(|l| l.sku == sku).unwrap().quantity;
    assert_eq!(q("same"), 64);
    for i in 0..4 {
        assert_eq!(q(&format!("sku{i}")), 32);
    }
    assert_eq!(c.version, 129);
}

async fn concurrent_counters_all_count(db: Db) {
    let mut handles = Vec::new();
    for _ in 0..32 {
        let db = db.clone();
        handles.push(tokio::spawn(async move {
            db.kv_incr("app", "hits", 1).await.unwrap()
        }));
    }
    let mut seen = BTreeSet::new();
    for h in handles {
        seen.insert(h.await.unwrap());
    }
    assert_eq!(
        seen,
        (1..=32).collect::<BTreeSet<i64>>(),
        "every increment saw a distinct value"
    );
}

async fn concurrent_get_or_put_agree_on_the_first_value(db: Db) {
    let mut handles = Vec::new();
    for i in 0..16 {
        let db = db.clone();
        handles.push(tokio::spawn(async move {
            db.kv_get_or_put("app", "key", &json!(format!("value-{i}")))
                .await
                .unwrap()
        }));
    }
    let mut values = BTreeSet::new();
    for h in handles {
        let e = h.await.unwrap();
        assert_eq!((e.key.as_str(), e.version), ("key", 1));
        values.insert(e.value.to_string());
    }
    assert_eq!(
        values.len(),
        1,
        "every caller got the same value: {values:?}"
    );
    // Later calls read what is stored, whatever they offer.
    let stored = db.kv_get("app", "key").await.unwrap().unwrap();
    let again = db
        .kv_get_or_put("app", "key", &json!("other"))
        .await
        .unwrap();
    assert_eq!(again, stored);
    // A changed value is returned as changed, not reset.
    db.kv_put("app", "key", &json!("changed")).await.unwrap();
    let changed = db.kv_get_or_put("app", "key", &json!("x")).await.unwrap();
    assert_eq!((changed.value, changed.version), (json!("changed"), 2));
    assert!(matches!(
        db.kv_get_or_put("app", "", &json!(1)).await,
        Err(StoreError::Invalid { .. })
    ));
}

async fn concurrent_versioned_updates_have_one_winner(db: Db) {
    db.create_task(new_task("race", "Contended")).await.unwrap();
    let mut handles = Vec::new();
    for i in 0..16 {
        let db = db.clone();
        handles.push(tokio::spawn(async move {
            let patch = TaskPatch {
                title: Some(format!("Winner {i}")),
                ..TaskPatch::default()
            };
            db.update_task("race", "T-1", patch, Some(1)).await
        }));
    }
    let mut ok = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(db.task("race", "T-1").await.unwrap().unwrap().version, 2);
}

async fn concurrent_task_creation_gives_distinct_ids(db: Db) {
    let mut handles = Vec::new();
    for i in 0..50 {
        let db = db.clone();
        handles.push(tokio::spawn(async move {
            db.create_task(new_task("many", &format!("t{i}")))
                .await
                .unwrap()
                .id
        }));
    }
    let mut ids = BTreeSet::new();
    for h in handles {
        ids.insert(h.await.unwrap());
    }
    let expected: BTreeSet<String> = (1..=50).map(|n| format!("T-{n}")).collect();
    assert_eq!(ids, expected);
}

async fn api_keys_are_listed_and_revoked(db: Db) {
    let key = |id: &str, apps: &[&str]| ApiKey {
        id: id.into(),
        name: format!("key {id}"),
        apps: apps.iter().map(|a| a.to_string()).collect(),
        secret_hash: "ab".repeat(32),
        created_at: 0,
        revoked_at: None,
    };
    db.create_api_key(&key("k1", &["backlog"])).await.unwrap();
    db.create_api_key(&key("k2", &[])).await.unwrap();
    assert!(matches!(
        db.create_api_key(&key("k1", &[])).await,
        Err(StoreError::Conflict { .. })
    ));
    let k1 = db.api_key("k1").await.unwrap().unwrap();
    assert_eq!(
        (k1.apps, k1.secret_hash.len(), k1.revoked_at),
        (vec!["backlog".to_owned()], 64, None)
    );
    assert_eq!(db.api_keys().await.unwrap().len(), 2);
    assert!(db.revoke_api_key("k1").await.unwrap());
    assert!(!db.revoke_api_key("k1").await.unwrap());
    assert!(!db.revoke_api_key("nope").await.unwrap());
    assert!(
        db.api_key("k1")
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    );
    // The hash is never serialised.
    assert!(
        !serde_json::to_string(&db.api_key("k2").await.unwrap())
            .unwrap()
            .contains("abab")
    );
}
