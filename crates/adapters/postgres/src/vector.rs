//! pgvector's `vector` column type for diesel, in pgvector's binary format (`u16`
//! dimensions, `u16` unused, then big-endian `f32`s), and its cosine distance `<=>`.
//!
//! The `pgvector` crate's own diesel integration enables diesel's `postgres` feature,
//! which links libpq; diesel-async talks to PostgreSQL without it, so this adapter keeps
//! `pgvector::Vector` as the value and does the column type itself.

use std::io::Write as _;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::{AsExpression, Expression};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{Double, SqlType};

/// The SQL type `vector`, looked up by name (the extension's OID differs per database).
#[derive(SqlType, diesel::query_builder::QueryId)]
#[diesel(postgres_type(name = "vector"))]
#[allow(
    unreachable_pub,
    reason = "named by the public column types diesel's `table!` makes"
)]
pub struct VectorSql;

/// A `vector` value.
#[derive(Debug, Clone, PartialEq, AsExpression, FromSqlRow)]
#[diesel(sql_type = VectorSql)]
pub(crate) struct StoredVector(pub(crate) pgvector::Vector);

impl ToSql<VectorSql, Pg> for StoredVector {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        let values = self.0.as_slice();
        out.write_all(&u16::try_from(values.len())?.to_be_bytes())?;
        out.write_all(&0_u16.to_be_bytes())?;
        for value in values {
            out.write_all(&value.to_be_bytes())?;
        }
        Ok(IsNull::No)
    }
}

impl FromSql<VectorSql, Pg> for StoredVector {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let bytes = value.as_bytes();
        let (head, body) = bytes
            .split_at_checked(4)
            .ok_or("vector value shorter than its header")?;
        let dimensions = usize::from(u16::from_be_bytes([head[0], head[1]]));
        if body.len() != dimensions * 4 {
            return Err(format!(
                "vector value of {} bytes for {dimensions} dimensions",
                body.len()
            )
            .into());
        }
        let values = body
            .chunks_exact(4)
            .map(|chunk| f32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
            .collect::<Vec<_>>();
        Ok(Self(pgvector::Vector::from(values)))
    }
}

diesel::infix_operator!(CosineDistance, " <=> ", Double, backend: Pg);

/// `<=>` on a `vector` column.
pub(crate) trait CosineDistanceMethod: Expression<SqlType = VectorSql> + Sized {
    fn cosine_distance<T>(self, other: T) -> CosineDistance<Self, T::Expression>
    where
        T: AsExpression<VectorSql>,
    {
        CosineDistance::new(self, other.as_expression())
    }
}

impl<E: Expression<SqlType = VectorSql>> CosineDistanceMethod for E {}
