//! `skyport new NAME`: a new app crate (tool + widget + tests) that builds
//! and passes its tests as generated.
//!
//! The templates are the files under `template/`, embedded in the binary;
//! `{{name}}` (the app name), `{{crate}}` (its Rust identifier) and
//! `{{skyport}}` / `{{skyport_testing}}` (the dependency) are filled in.

use std::path::{Path, PathBuf};

/// Why the app could not be generated.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ScaffoldError {
    /// The name cannot be an app name.
    #[error(
        "{0:?} cannot be an app name: use lowercase letters, digits and '-', starting with a letter (it becomes the crate name and the path /{0}/mcp)"
    )]
    BadName(String),
    /// The target exists.
    #[error("{0} already exists: pick another name or --dir")]
    Exists(PathBuf),
    /// Writing failed.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// (path in the new crate, template text).
const FILES: [(&str, &str); 9] = [
    ("Cargo.toml", include_str!("template/Cargo.toml.tmpl")),
    ("README.md", include_str!("template/README.md.tmpl")),
    (".gitignore", include_str!("template/gitignore.tmpl")),
    ("src/lib.rs", include_str!("template/src/lib.rs.tmpl")),
    ("src/main.rs", include_str!("template/src/main.rs.tmpl")),
    (
        "src/widget/card.html",
        include_str!("template/src/widget/card.html"),
    ),
    (
        "src/widget/card.css",
        include_str!("template/src/widget/card.css"),
    ),
    (
        "src/widget/card.js",
        include_str!("template/src/widget/card.js"),
    ),
    ("tests/app.rs", include_str!("template/tests/app.rs.tmpl")),
];

/// Where the generated crate gets `skyport` from.
#[derive(Debug, Clone)]
pub(crate) enum SkyportSource {
    /// A local checkout's `crates/skyport`.
    Path(PathBuf),
    /// A crates.io version requirement.
    Version(String),
}

impl SkyportSource {
    /// The checkout this binary was built from, when it is still there;
    /// otherwise this binary's version from crates.io.
    pub(crate) fn default_for_this_build() -> Self {
        let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../skyport");
        match lib.join("Cargo.toml").exists() {
            true => Self::Path(lib.canonicalize().unwrap_or(lib)),
            false => Self::Version(env!("CARGO_PKG_VERSION").into()),
        }
    }

    fn dependency(&self, features: &[&str]) -> String {
        let features = if features.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = features.iter().map(|f| format!("\"{f}\"")).collect();
            format!(", features = [{}]", quoted.join(", "))
        };
        match self {
            // TOML basic strings: escape backslashes and quotes in the path.
            Self::Path(p) => format!(
                "{{ path = \"{}\"{features} }}",
                p.display()
                    .to_string()
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"")
            ),
            Self::Version(v) => format!("{{ version = \"{v}\"{features} }}"),
        }
    }
}

fn valid_name(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.ends_with('-')
}

/// Writes the app `name` into `parent/name`; returns the crate directory.
pub(crate) fn generate(
    name: &str,
    parent: &Path,
    skyport: &SkyportSource,
) -> Result<PathBuf, ScaffoldError> {
    if !valid_name(name) {
        return Err(ScaffoldError::BadName(name.into()));
    }
    let root = parent.join(name);
    if root.exists() {
        return Err(ScaffoldError::Exists(root));
    }
    let crate_ident = name.replace('-', "_");
    let dep = skyport.dependency(&[]);
    let dep_testing = skyport.dependency(&["testing"]);
    for (path, template) in FILES {
        let text = template
            .replace("{{name}}", name)
            .replace("{{crate}}", &crate_ident)
            .replace("{{skyport_testing}}", &dep_testing)
            .replace("{{skyport}}", &dep);
        let target = root.join(path);
        let io = |source| ScaffoldError::Io {
            path: target.clone(),
            source,
        };
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        std::fs::write(&target, text).map_err(io)?;
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        for ok in ["todo", "my-app", "a1"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "My", "1app", "app-", "a_b", "a/b", "../x"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn templates_are_filled_in() {
        let dir = std::env::temp_dir().join(format!("skyport-scaffold-{}", std::process::id()));
        let root = generate("my-app", &dir, &SkyportSource::Version("0.1.0".into())).unwrap();
        let cargo = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(cargo.contains("name = \"my-app\""));
        assert!(cargo.contains("skyport = { version = \"0.1.0\", features = [\"testing\"] }"));
        let main = std::fs::read_to_string(root.join("src/main.rs")).unwrap();
        assert!(main.contains("my_app::app()"));
        for (path, _) in FILES {
            let text = std::fs::read_to_string(root.join(path)).unwrap();
            assert!(!text.contains("{{"), "{path} has an unfilled placeholder");
        }
        assert!(matches!(
            generate("my-app", &dir, &SkyportSource::Version("0.1.0".into())),
            Err(ScaffoldError::Exists(_))
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
