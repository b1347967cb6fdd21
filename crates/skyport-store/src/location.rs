//! Parsing the store settings into backend locations, with passwords kept
//! out of every message.

use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};

/// Where the records live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordsLocation {
    /// An SQLite file (created if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL database (the URL as given).
    Postgres(String),
}

/// `store.url` (or none: `{data_dir}/skyport.db`) parsed.
///
/// Accepted forms: `sqlite://relative/path.db`, `sqlite:///absolute/path.db`,
/// `sqlite:path.db`, `postgres://…` and `postgresql://…`.
pub fn records_location(url: Option<&str>, data_dir: &Path) -> Result<RecordsLocation> {
    let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(RecordsLocation::Sqlite(data_dir.join("skyport.db")));
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        url::Url::parse(url).map_err(|e| StoreError::BadSetting {
            setting: "store.url",
            reason: format!("{} is not a valid URL: {e}", redact(url)),
        })?;
        return Ok(RecordsLocation::Postgres(url.to_owned()));
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.strip_prefix("//").unwrap_or(rest);
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() || path == ":memory:" {
            return Err(StoreError::BadSetting {
                setting: "store.url",
                reason: "an SQLite URL needs a file path (sqlite://data/skyport.db); \
                         an in-memory database would lose every write at exit"
                    .into(),
            });
        }
        return Ok(RecordsLocation::Sqlite(PathBuf::from(path)));
    }
    Err(StoreError::BadSetting {
        setting: "store.url",
        reason: format!(
            "{} is neither sqlite://PATH nor postgres://USER@HOST/DB",
            redact(url)
        ),
    })
}

/// `store.redis_url` checked: `redis://` or `rediss://`.
pub fn redis_location(url: &str) -> Result<String> {
    let url = url.trim();
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "redis" | "rediss") => Ok(url.to_owned()),
        _ => Err(StoreError::BadSetting {
            setting: "store.redis_url",
            reason: format!("{} is not a redis://HOST:PORT URL", redact(url)),
        }),
    }
}

/// The URL with its password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => url.split('@').next_back().unwrap_or(url).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_a_file_under_the_data_dir() {
        assert_eq!(
            records_location(None, Path::new("data")).unwrap(),
            RecordsLocation::Sqlite(PathBuf::from("data/skyport.db"))
        );
    }

    #[test]
    fn sqlite_and_postgres_urls_parse() {
        let d = Path::new("d");
        assert_eq!(
            records_location(Some("sqlite:///tmp/x.db"), d).unwrap(),
            RecordsLocation::Sqlite(PathBuf::from("/tmp/x.db"))
        );
        assert_eq!(
            records_location(Some("sqlite://rel/x.db?mode=rwc"), d).unwrap(),
            RecordsLocation::Sqlite(PathBuf::from("rel/x.db"))
        );
        assert!(matches!(
            records_location(Some("postgres://u@h/db"), d).unwrap(),
            RecordsLocation::Postgres(_)
        ));
    }

    #[test]
    fn bad_urls_name_the_setting_and_hide_passwords() {
        let e = records_location(Some("mysql://u:hunter2@h/db"), Path::new("d")).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("store.url"), "{msg}");
        assert!(!msg.contains("hunter2"), "{msg}");
        assert!(records_location(Some("sqlite::memory:"), Path::new("d")).is_err());
        let e = redis_location("http://x").unwrap_err().to_string();
        assert!(e.contains("store.redis_url"), "{e}");
    }
}
