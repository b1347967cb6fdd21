//! Opening the store: the defaults, and clear errors naming the setting.

mod common;

use skyport_store::{Backend, StoreConfig, StoreError};

#[tokio::test]
async fn default_store_is_sqlite_under_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let store = skyport_store::open(&StoreConfig {
        data_dir: dir.path().join("nested"),
        ..StoreConfig::default()
    })
    .await
    .unwrap();
    assert_eq!(store.records.backend(), Backend::Sqlite);
    assert_eq!(store.coordination.backend(), Backend::Sqlite);
    assert!(!store.coordination.is_shared());
    assert!(dir.path().join("nested/skyport.db").exists());
}

#[tokio::test]
async fn unreachable_postgres_names_the_setting_without_the_password() {
    let e = skyport_store::open(&StoreConfig {
        url: Some("postgres://u:hunter2@127.0.0.1:1/db".into()),
        ..StoreConfig::default()
    })
    .await
    .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, StoreError::Unreachable { .. }), "{msg}");
    assert!(msg.contains("store.url"), "{msg}");
    assert!(!msg.contains("hunter2"), "{msg}");
}

#[tokio::test]
async fn unreachable_redis_names_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let e = skyport_store::open(&StoreConfig {
        data_dir: dir.path().to_path_buf(),
        redis_url: Some("redis://127.0.0.1:1".into()),
        ..StoreConfig::default()
    })
    .await
    .unwrap_err();
    assert!(e.to_string().contains("store.redis_url"), "{e}");
}

#[tokio::test]
async fn bad_urls_are_refused() {
    for url in ["mysql://x/y", "sqlite::memory:", "nonsense"] {
        let e = skyport_store::open(&StoreConfig {
            url: Some(url.into()),
            ..StoreConfig::default()
        })
        .await
        .unwrap_err();
        assert!(matches!(e, StoreError::BadSetting { .. }), "{url}: {e}");
    }
}
