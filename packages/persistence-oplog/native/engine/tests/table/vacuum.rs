//! Vacuum deletes the data files no retained version needs once they are older than the
//! horizon, and files no log entry names after their grace period; never anything newer.

use pond_oplog_engine::{CompactOptions, Table};

use crate::common::{Row, TempDir, commit, create, data_files_on_disk, rows_of, run};

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[test]
fn vacuum_deletes_what_compaction_removed_once_it_is_older_than_the_horizon() {
    let dir = TempDir::new();
    run(async {
        let table = create(&dir, &[]).await;
        for txn in 1..=3 {
            commit(&table, &[Row::file("p", &format!("n{txn}"), 1, txn)]).await;
        }
        let old_files = data_files_on_disk(&dir);
        table.compact(4, CompactOptions::default()).await.unwrap();
        let rows = rows_of(&table.scan_all().await.unwrap());

        let none = table.vacuum(0, 0, false).await.unwrap();
        assert!(none.deleted.is_empty());

        let later = now_ms() + 60_000;
        let listed = table.vacuum(later, 0, true).await.unwrap();
        assert_eq!(listed.deleted, old_files);
        assert!(listed.bytes > 0);
        assert_eq!(
            data_files_on_disk(&dir).len(),
            4,
            "a dry run deletes nothing"
        );

        let done = table.vacuum(later, 0, false).await.unwrap();
        assert_eq!((done.deleted, done.bytes), (listed.deleted, listed.bytes));
        assert_eq!(data_files_on_disk(&dir).len(), 1);
        let reopened = Table::open(&dir.table(), None, &Default::default()).await.unwrap();
        assert_eq!(rows_of(&reopened.scan_all().await.unwrap()), rows);
    });
}

#[test]
fn a_file_no_log_entry_names_is_deleted_after_its_grace_period() {
    let dir = TempDir::new();
    run(async {
        let table = create(&dir, &[]).await;
        commit(&table, &[Row::file("p", "n", 1, 1)]).await;
        let orphan = "part_id=p/left-by-a-failed-commit.parquet";
        std::fs::write(dir.path().join("pond").join(orphan), b"not parquet").unwrap();

        let kept = table.vacuum(0, 0, false).await.unwrap();
        assert!(kept.deleted.is_empty());
        let done = table.vacuum(0, now_ms() + 60_000, false).await.unwrap();
        assert_eq!(done.deleted, [orphan]);
        assert_eq!(done.bytes, 11);
        assert_eq!(data_files_on_disk(&dir).len(), 1);
        assert_eq!(rows_of(&table.scan_all().await.unwrap()).len(), 1);
    });
}
