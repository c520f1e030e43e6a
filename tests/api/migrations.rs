//! Migrations applied to a desk that already holds tickets: the open counts begin from
//! the tickets already there, and undoing the migrations leaves the tables as before.

use certdesk_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(open_counts_begin_from_the_tickets_already_there);

/// The last migration before the open counts.
const BEFORE_OPEN_COUNTS: u32 = 14;

/// An empty database of `backend` (a schema of its own on PostgreSQL) and what to drop.
async fn empty_database(
    backend: Backend,
) -> (DatabaseConnection, Option<String>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    match backend {
        Backend::Sqlite => {
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
            (Database::connect(&url).await.unwrap(), None, dir)
        }
        Backend::Postgres => {
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&postgres_url()).await.unwrap();
            admin
                .execute_unprepared(&format!("CREATE SCHEMA \"{schema}\""))
                .await
                .unwrap();
            admin.close().await.unwrap();
            let mut options = sea_orm::ConnectOptions::new(postgres_url());
            options
                .set_schema_search_path(schema.clone())
                .max_connections(1)
                .sqlx_logging(false);
            (Database::connect(options).await.unwrap(), Some(schema), dir)
        }
    }
}

async fn open_counts(db: &DatabaseConnection) -> Vec<(String, i64)> {
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT queue, CAST(SUM(open_tickets) AS BIGINT) AS open_tickets \
         FROM queue_open_counts GROUP BY queue HAVING SUM(open_tickets) > 0 ORDER BY queue",
    ))
    .await
    .unwrap()
    .into_iter()
    .map(|row| {
        (
            row.try_get::<String>("", "queue").unwrap(),
            row.try_get::<i64>("", "open_tickets").unwrap(),
        )
    })
    .collect()
}

/// The first twenty tickets in `general`; of the rest, the odd ones in `djp`.
fn queue_of(i: usize) -> &'static str {
    if i >= 20 && i % 2 == 1 {
        "djp"
    } else {
        "general"
    }
}

async fn open_counts_begin_from_the_tickets_already_there(backend: Backend) {
    let (db, schema, _dir) = empty_database(backend).await;
    Migrator::up(&db, Some(BEFORE_OPEN_COUNTS)).await.unwrap();
    db.execute_unprepared(&format!(
        "INSERT INTO officers (nip, name, unit, email, active, updated_at) \
         VALUES ('{OFFICER_NIP}', 'Kepala UPK Contoh', 'Sekretariat Jenderal', \
           'kepala.upk.setjen@kemenkeu.go.id', true, '2026-12-01 08:00:00+00')"
    ))
    .await
    .unwrap();
    // Forty tickets written before the counts existed: open and finished, in two queues.
    for i in 0..40 {
        let status = [
            "submitted",
            "in_review",
            "closed",
            "awaiting_requester_at_authority",
        ][i % 4];
        let queue = queue_of(i);
        db.execute_unprepared(&format!(
            "INSERT INTO tickets (service, status, requester_nip, requester_name, \
               requester_email, requester_unit, requester_position, responsible_officer_nip, \
               description, created_at, updated_at, queue, version) \
             VALUES ('15.1', '{status}', '{REQUESTER_NIP}', 'Andi Contoh', \
               'andi.contoh@kemenkeu.go.id', 'Sekretariat Jenderal', 'Pranata Komputer', \
               '{OFFICER_NIP}', 'Permohonan {i}', '2026-12-01 08:00:00+00', \
               '2026-12-01 08:00:00+00', '{queue}', 1)"
        ))
        .await
        .unwrap();
    }
    Migrator::up(&db, None).await.unwrap();
    // Tickets filed before service levels come last in a queue sorted by due.
    let unsorted = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM tickets WHERE sla_sort_at IS NULL",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(unsorted, 0);
    // Three in four are open (every fourth is closed).
    let open_in = |queue: &str| {
        (0..40)
            .filter(|i| i % 4 != 2 && queue_of(*i) == queue)
            .count() as i64
    };
    let expected = vec![
        ("djp".to_owned(), open_in("djp")),
        ("general".to_owned(), open_in("general")),
    ];
    assert_eq!(expected[0].1 + expected[1].1, 30);
    assert_eq!(open_counts(&db).await, expected);

    // The counts go on from there as tickets change.
    db.execute_unprepared("UPDATE tickets SET status = 'closed' WHERE queue = 'djp'")
        .await
        .unwrap();
    db.execute_unprepared("UPDATE tickets SET queue = 'djp' WHERE description = 'Permohonan 0'")
        .await
        .unwrap();
    assert_eq!(
        open_counts(&db).await,
        [
            ("djp".to_owned(), 1),
            ("general".to_owned(), expected[1].1 - 1)
        ]
    );

    // Undone, the counts and their triggers go; tickets change as before.
    let after_the_counts = Migrator::migrations().len() as u32 - BEFORE_OPEN_COUNTS;
    Migrator::down(&db, Some(after_the_counts)).await.unwrap();
    db.execute_unprepared("UPDATE tickets SET status = 'in_review'")
        .await
        .unwrap();
    let gone = db
        .execute_unprepared("SELECT count(*) FROM queue_open_counts")
        .await;
    assert!(gone.is_err(), "the counts' table outlived its migration");
    db.close().await.unwrap();
    if let Some(schema) = schema {
        let admin = Database::connect(&postgres_url()).await.unwrap();
        admin
            .execute_unprepared(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
            .await
            .unwrap();
    }
}
