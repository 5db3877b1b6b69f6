//! The accounts section: how passwords are hashed.

use polychat_auth::{PRODUCTION_MIN_COST, VALID_COSTS};

use super::variable::Variable;
use super::{ConfigError, Source, invalid};

const BCRYPT_COST: Variable = Variable::with_default(
    "BCRYPT_COST",
    "12",
    "password hashing cost; below 12 only with `ALLOW_WEAK_PASSWORD_HASHING`",
);
const ALLOW_WEAK_PASSWORD_HASHING: Variable = Variable::with_default(
    "ALLOW_WEAK_PASSWORD_HASHING",
    "false",
    "`true` lets `BCRYPT_COST` go below 12 (tests and development only)",
);

pub(super) const VARIABLES: &[&Variable] = &[&BCRYPT_COST, &ALLOW_WEAK_PASSWORD_HASHING];

/// The bcrypt cost: what bcrypt accepts, and below the production minimum only when asked.
pub(super) fn bcrypt_cost(source: &Source) -> Result<u32, ConfigError> {
    let cost = source.required(&BCRYPT_COST)?;
    if !VALID_COSTS.contains(&cost) {
        let (low, high) = VALID_COSTS.into_inner();
        return Err(invalid(
            BCRYPT_COST.name,
            format!("must be between {low} and {high}"),
        ));
    }
    if cost < PRODUCTION_MIN_COST && !source.required::<bool>(&ALLOW_WEAK_PASSWORD_HASHING)? {
        return Err(invalid(
            BCRYPT_COST.name,
            format!(
                "is below {PRODUCTION_MIN_COST}, too cheap for real passwords; \
                 set ALLOW_WEAK_PASSWORD_HASHING=true for tests and development only"
            ),
        ));
    }
    Ok(cost)
}
