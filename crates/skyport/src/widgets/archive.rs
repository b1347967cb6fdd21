//! Earlier widget versions, kept readable after a redeploy.
//!
//! Hosts cache tool descriptors, and with them template URIs. After a
//! redeploy a host may still ask for the previous `ui://…/name.<hash>.html`;
//! answering with that version (not a 404 and not new HTML that expects new
//! data) keeps old conversations rendering. Each version a server publishes
//! is written to `{data_dir}/widgets/{app}/{widget}/{hash}.html`, with the
//! resource `_meta` it was published with beside it (`{hash}.meta.json`: an
//! old split template still needs its CDN origin in the CSP after the CDN is
//! dropped); its mtime is refreshed while it is current, and files older than
//! the retention window are deleted at start-up.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::Value;

/// Most old versions kept per widget, whatever their age (bounds memory).
const MAX_VERSIONS: usize = 16;

/// Where old versions live and for how long.
#[derive(Debug, Clone)]
pub struct WidgetArchive {
    dir: PathBuf,
    retention: Duration,
}

/// An earlier version of a widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedVersion {
    /// Its content hash (the URI's version tag).
    pub hash: String,
    /// Its HTML.
    pub html: String,
    /// The template resource `_meta` it was published with (CSP, border,
    /// description); `None` when none was recorded or it does not parse.
    pub meta: Option<Value>,
}

impl WidgetArchive {
    /// An archive under `dir` (usually `{data_dir}/widgets`) keeping versions for `retention`.
    pub fn new(dir: impl Into<PathBuf>, retention: Duration) -> Self {
        Self {
            dir: dir.into(),
            retention,
        }
    }

    /// Records `html` (published with the resource `_meta` `meta`) as the
    /// current version of `app/widget` and returns the earlier versions still
    /// inside the retention window, newest first. Expired versions are deleted.
    pub fn sync(
        &self,
        app: &str,
        widget: &str,
        hash: &str,
        html: &str,
        meta: &Value,
    ) -> std::io::Result<Vec<ArchivedVersion>> {
        let dir = self.dir.join(app).join(widget);
        std::fs::create_dir_all(&dir)?;
        let current = dir.join(format!("{hash}.html"));
        write_atomically(&current, html)?;
        write_atomically(&meta_path(&current), &meta.to_string())?;
        let now = SystemTime::now();
        std::fs::File::options()
            .append(true)
            .open(&current)?
            .set_modified(now)?;

        let mut old = Vec::new();
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let Some(other) = version_of(&path) else {
                continue;
            };
            if other == hash {
                continue;
            }
            // Another server sharing the data dir may have just deleted it.
            let modified = match std::fs::metadata(&path).and_then(|m| m.modified()) {
                Ok(m) => m,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let age = now.duration_since(modified).unwrap_or_default();
            if age > self.retention {
                tracing::info!(
                    app,
                    widget,
                    version = other,
                    "widget version expired; deleting it"
                );
                remove_if_present(&path)?;
                remove_if_present(&meta_path(&path))?;
            } else {
                old.push((modified, other.to_owned(), path));
            }
        }
        old.sort_by_key(|v| std::cmp::Reverse(v.0));
        let mut versions = Vec::new();
        for (_, hash, path) in old.into_iter().take(MAX_VERSIONS) {
            let html = match std::fs::read_to_string(&path) {
                Ok(h) => h,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let meta = std::fs::read_to_string(meta_path(&path))
                .ok()
                .and_then(|m| serde_json::from_str(&m).ok());
            versions.push(ArchivedVersion { hash, html, meta });
        }
        Ok(versions)
    }
}

/// `…/3f2a9c1b04de.html` → `…/3f2a9c1b04de.meta.json`.
fn meta_path(html: &Path) -> PathBuf {
    html.with_extension("meta.json")
}

fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// `…/3f2a9c1b04de.html` → `3f2a9c1b04de`; other files are not versions.
fn version_of(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    let hash = name.strip_suffix(".html")?;
    (hash.len() == 12 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hash)
}

/// Writes via a temporary file and rename, so a crash never leaves half a
/// version. The temporary name is per process: servers sharing a data dir
/// must not rename each other's half-written files.
fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|c| c == contents) {
        return Ok(());
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "skyport-archive-{tag}-{}-{:?}",
            std::process::id(),
            SystemTime::now()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn earlier_versions_stay_readable_until_they_expire() {
        let dir = tempdir("keep");
        let archive = WidgetArchive::new(&dir, Duration::from_secs(3600));
        let m1 =
            serde_json::json!({"ui": {"csp": {"resourceDomains": ["https://cdn.example.com"]}}});
        let m2 = serde_json::json!({"ui": {"csp": {"resourceDomains": []}}});
        assert!(
            archive
                .sync("a", "w", "aaaaaaaaaaaa", "v1", &m1)
                .unwrap()
                .is_empty()
        );
        let old = archive.sync("a", "w", "bbbbbbbbbbbb", "v2", &m2).unwrap();
        assert_eq!(
            old,
            [ArchivedVersion {
                hash: "aaaaaaaaaaaa".into(),
                html: "v1".into(),
                meta: Some(m1),
            }],
            "an old version keeps the meta it was published with"
        );
        // Back-date v1 past the window: the next start deletes it and its meta.
        let v1 = dir.join("a/w/aaaaaaaaaaaa.html");
        let past = SystemTime::now() - Duration::from_secs(7200);
        std::fs::File::options()
            .append(true)
            .open(&v1)
            .unwrap()
            .set_modified(past)
            .unwrap();
        assert!(
            archive
                .sync("a", "w", "bbbbbbbbbbbb", "v2", &m2)
                .unwrap()
                .is_empty()
        );
        assert!(!v1.exists());
        assert!(!dir.join("a/w/aaaaaaaaaaaa.meta.json").exists());
        let mut left: Vec<_> = std::fs::read_dir(dir.join("a/w"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["bbbbbbbbbbbb.html", "bbbbbbbbbbbb.meta.json"],
            "no temporary files are left behind"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_version_archived_without_meta_has_none() {
        let dir = tempdir("no-meta");
        let archive = WidgetArchive::new(&dir, Duration::from_secs(3600));
        let m = serde_json::json!({});
        archive.sync("a", "w", "aaaaaaaaaaaa", "v1", &m).unwrap();
        std::fs::remove_file(dir.join("a/w/aaaaaaaaaaaa.meta.json")).unwrap();
        let old = archive.sync("a", "w", "bbbbbbbbbbbb", "v2", &m).unwrap();
        assert_eq!(old.len(), 1);
        assert_eq!(old[0].meta, None);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
