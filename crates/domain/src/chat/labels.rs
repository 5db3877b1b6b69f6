//! A chat's labels: the project it belongs to and the business sector it serves, both
//! optional, set when the chat is created and used to filter lists and searches.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A project name: 1-64 of `[a-z0-9._-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Project(String);

impl Project {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if text.is_empty() || text.len() > Self::MAX_CHARS || !text.chars().all(allowed) {
            return Err(ValidationError::new(
                "project",
                format!("must be 1-{} of a-z, 0-9, '.', '_', '-'", Self::MAX_CHARS),
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Project {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Project> for String {
    fn from(value: Project) -> Self {
        value.0
    }
}

/// A sector, one of the deployment's [`Sectors`]. Stored as its name; a sector later
/// dropped from the list stays readable on the chats that have it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sector(String);

impl Sector {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The sectors chats may be labelled with (`SECTORS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sectors(Vec<String>);

impl Sectors {
    /// The list shipped by default.
    pub const DEFAULT: &'static str = "financeiro,suporte,vendas,admin,geral";

    /// A comma-separated list of names, each 1-64 of `[a-z0-9._-]`, at least one.
    ///
    /// # Errors
    /// An empty list or a malformed name.
    pub fn parse(list: &str) -> Result<Self, ValidationError> {
        let names: Vec<String> = list
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(|name| {
                Project::parse(name).map(String::from).map_err(|_| {
                    ValidationError::new("sectors", format!("{name:?} is not a valid sector name"))
                })
            })
            .collect::<Result<_, _>>()?;
        if names.is_empty() {
            return Err(ValidationError::new(
                "sectors",
                "must name at least one sector",
            ));
        }
        Ok(Self(names))
    }

    /// The names, in the order the operator listed them.
    pub fn names(&self) -> &[String] {
        &self.0
    }

    /// The sector named `text`, if it is one of these.
    ///
    /// # Errors
    /// A name not in the list.
    pub fn sector(&self, text: &str) -> Result<Sector, ValidationError> {
        self.0
            .iter()
            .find(|name| *name == text)
            .map(|name| Sector(name.clone()))
            .ok_or_else(|| {
                ValidationError::new("sector", format!("must be one of {}", self.0.join(", ")))
            })
    }
}

impl Default for Sectors {
    fn default() -> Self {
        Self(Self::DEFAULT.split(',').map(str::to_owned).collect())
    }
}

/// A chat's labels as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatLabels {
    pub project: Option<Project>,
    pub sector: Option<Sector>,
}

impl ChatLabels {
    /// Whether a chat with these labels passes `filter` (an unset filter field passes all).
    pub fn matches(&self, filter: &Self) -> bool {
        filter
            .project
            .as_ref()
            .is_none_or(|p| self.project.as_ref() == Some(p))
            && filter
                .sector
                .as_ref()
                .is_none_or(|s| self.sector.as_ref() == Some(s))
    }
}

/// Labels as a client sent them, parsed by the service against its [`Sectors`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LabelsRequest {
    pub project: Option<String>,
    pub sector: Option<String>,
}

impl LabelsRequest {
    /// # Errors
    /// A malformed project or a sector not in `sectors`.
    pub fn parse(&self, sectors: &Sectors) -> Result<ChatLabels, ValidationError> {
        Ok(ChatLabels {
            project: self.project.as_deref().map(Project::parse).transpose()?,
            sector: self
                .sector
                .as_deref()
                .map(|s| sectors.sector(s))
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_are_short_lowercase_slugs() {
        assert!(Project::parse("site-2026.v1_a").is_ok());
        for bad in ["", "Upper", "a b", "a/b", &"x".repeat(65)] {
            assert!(Project::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn sectors_come_from_the_list() {
        let sectors = Sectors::default();
        assert_eq!(sectors.sector("vendas").unwrap().as_str(), "vendas");
        assert!(sectors.sector("marketing").is_err());
        let custom = Sectors::parse(" rh , ti ").unwrap();
        assert!(custom.sector("ti").is_ok());
        assert!(custom.sector("vendas").is_err());
        assert!(Sectors::parse(" , ").is_err());
        assert!(Sectors::parse("ok,Bad Name").is_err());
    }

    #[test]
    fn an_unset_filter_field_passes_everything() {
        let sectors = Sectors::default();
        let labels = LabelsRequest {
            project: Some("p".into()),
            sector: Some("geral".into()),
        }
        .parse(&sectors)
        .unwrap();
        assert!(labels.matches(&ChatLabels::default()));
        let other = ChatLabels {
            project: Project::parse("q").ok(),
            sector: None,
        };
        assert!(!labels.matches(&other));
        assert!(ChatLabels::default().matches(&ChatLabels::default()));
        assert!(!ChatLabels::default().matches(&labels));
    }
}
