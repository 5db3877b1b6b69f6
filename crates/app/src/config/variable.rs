//! The variables the service reads, each declared once with its meaning and default:
//! reading goes through these declarations, and the README's table is written from
//! them (a test keeps the two equal), so no variable is read but undocumented.

/// One configuration variable.
#[derive(Debug)]
pub struct Variable {
    pub name: &'static str,
    /// What it sets, as the README says it.
    pub meaning: &'static str,
    pub default: Fallback,
    /// The twin naming a file that holds the value instead (a secret mounted by
    /// Compose or Kubernetes).
    pub file: Option<&'static str>,
}

/// What a variable that is not set means.
#[derive(Debug, Clone, Copy)]
pub enum Fallback {
    /// This text, read as if it had been set.
    Value(&'static str),
    /// Something computed or generated, described.
    Described(&'static str),
    /// Nothing: the feature is off or the variable is required.
    Unset,
}

impl Variable {
    /// A variable whose unset value is `default`.
    pub(super) const fn with_default(
        name: &'static str,
        default: &'static str,
        meaning: &'static str,
    ) -> Self {
        Self {
            name,
            meaning,
            default: Fallback::Value(default),
            file: None,
        }
    }

    /// A variable that may stay unset.
    pub(super) const fn optional(name: &'static str, meaning: &'static str) -> Self {
        Self {
            name,
            meaning,
            default: Fallback::Unset,
            file: None,
        }
    }

    /// A secret, set directly or through the file its `file` twin names.
    pub(super) const fn secret(
        name: &'static str,
        file: &'static str,
        default: Fallback,
        meaning: &'static str,
    ) -> Self {
        Self {
            name,
            meaning,
            default,
            file: Some(file),
        }
    }

    /// This variable with its unset value described rather than given.
    pub(super) const fn described(self, default: &'static str) -> Self {
        Self {
            default: Fallback::Described(default),
            ..self
        }
    }

    #[cfg(test)]
    fn row(&self) -> String {
        let name = match self.file {
            Some(file) => format!("`{}` (or `{file}`)", self.name),
            None => format!("`{}`", self.name),
        };
        let default = match self.default {
            Fallback::Value("") | Fallback::Unset => "none".to_owned(),
            Fallback::Value(value) => format!("`{value}`"),
            Fallback::Described(text) => text.to_owned(),
        };
        format!("| {name} | {} | {default} |", self.meaning)
    }
}

/// The Markdown table of `variables`, as the README shows it.
#[cfg(test)]
pub(super) fn table<'a>(variables: impl IntoIterator<Item = &'a Variable>) -> String {
    let mut lines = vec![
        "| variable | meaning | default |".to_owned(),
        "|---|---|---|".to_owned(),
    ];
    lines.extend(variables.into_iter().map(Variable::row));
    lines.join("\n") + "\n"
}
