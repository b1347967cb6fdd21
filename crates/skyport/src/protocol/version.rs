//! Protocol versions and the two eras Skyport speaks.

use rmcp::model::ProtocolVersion;

/// Every protocol version Skyport implements, newest first.
pub const SUPPORTED_VERSIONS: [&str; 5] = [
    "2026-07-28",
    "2025-11-25",
    "2025-06-18",
    "2025-03-26",
    "2024-11-05",
];

/// The newest version negotiated through `initialize` (the session era).
pub const LATEST_LEGACY: &str = "2025-11-25";

/// The first version of the stateless era (no `initialize`, per-request `_meta`).
pub const MODERN: &str = "2026-07-28";

/// Which era a request belongs to; the engine's behaviour differs between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// 2024-11-05 .. 2025-11-25: `initialize`, sessions, server-to-client requests.
    Legacy(Version),
    /// 2026-07-28: stateless, every request carries its version and capabilities in `_meta`.
    Modern,
}

impl Era {
    /// The wire string of the version this request speaks.
    pub fn version_str(self) -> &'static str {
        match self {
            Era::Legacy(v) => v.as_str(),
            Era::Modern => MODERN,
        }
    }

    /// True for the stateless 2026 era.
    pub fn is_modern(self) -> bool {
        matches!(self, Era::Modern)
    }
}

/// A legacy-era protocol version, ordered by release date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// 2024-11-05: HTTP+SSE, no annotations or structured content.
    V2024_11_05,
    /// 2025-03-26: Streamable HTTP, batching, annotations.
    V2025_03_26,
    /// 2025-06-18: structured content, elicitation, `MCP-Protocol-Version` header.
    V2025_06_18,
    /// 2025-11-25: icons, SSE priming events, URL elicitation.
    V2025_11_25,
}

impl Version {
    /// Parses a legacy version string.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "2024-11-05" => Self::V2024_11_05,
            "2025-03-26" => Self::V2025_03_26,
            "2025-06-18" => Self::V2025_06_18,
            "2025-11-25" => Self::V2025_11_25,
            _ => return None,
        })
    }

    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2024_11_05 => "2024-11-05",
            Self::V2025_03_26 => "2025-03-26",
            Self::V2025_06_18 => "2025-06-18",
            Self::V2025_11_25 => "2025-11-25",
        }
    }

    /// As rmcp's version type.
    pub fn to_model(self) -> ProtocolVersion {
        match self {
            Self::V2024_11_05 => ProtocolVersion::V_2024_11_05,
            Self::V2025_03_26 => ProtocolVersion::V_2025_03_26,
            Self::V2025_06_18 => ProtocolVersion::V_2025_06_18,
            Self::V2025_11_25 => ProtocolVersion::V_2025_11_25,
        }
    }
}

/// True when `s` names any version Skyport speaks (either era).
pub fn is_supported(s: &str) -> bool {
    SUPPORTED_VERSIONS.contains(&s)
}

/// Version negotiation at `initialize`: echo the client's version when we speak
/// it, otherwise answer with our newest session-era version.
pub fn negotiate(requested: &str) -> Version {
    Version::parse(requested).unwrap_or(Version::V2025_11_25)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_echoes_known_versions_and_falls_back_to_latest() {
        assert_eq!(negotiate("2025-06-18"), Version::V2025_06_18);
        assert_eq!(negotiate("2024-11-05"), Version::V2024_11_05);
        assert_eq!(negotiate("1999-01-01"), Version::V2025_11_25);
        // 2026-07-28 has no initialize: a client asking for it there gets the session era.
        assert_eq!(negotiate("2026-07-28"), Version::V2025_11_25);
    }

    #[test]
    fn versions_are_ordered_by_date() {
        assert!(Version::V2024_11_05 < Version::V2025_11_25);
        assert!(is_supported("2026-07-28") && !is_supported("2025-01-01"));
    }
}
