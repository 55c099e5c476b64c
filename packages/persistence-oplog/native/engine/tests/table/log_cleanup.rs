//! Log cleanup deletes the log's entries before a version (after making sure a checkpoint of it
//! exists): that version becomes the oldest one a table opens at, and nothing newer changes.

use pond_oplog_engine::{Code, Table};

use crate::common::{Row, TempDir, commit, create, rows_of, run};

#[test]
fn cleaning_the_log_up_to_a_version_makes_it_the_oldest_one() {
    let dir = TempDir::new();
    run(async {
        let table = create(&dir, &[]).await;
        for txn in 1..=5 {
            commit(&table, &[Row::file("p", &format!("n{txn}"), 1, txn)]).await;
        }
        let rows = rows_of(&table.scan_all().await.unwrap());
        assert_eq!(table.oldest_version().await.unwrap(), 0);

        let done = table.cleanup_log(3).await.unwrap();
        assert_eq!(done.oldest, 3);
        let entries: Vec<String> = (0..3).map(|v| format!("_delta_log/{v:020}.json")).collect();
        assert_eq!(done.deleted, entries);
        assert_eq!(table.oldest_version().await.unwrap(), 3);

        let gone = Table::open(&dir.table(), Some(2), &Default::default()).await.err().unwrap();
        assert_eq!(gone.code, Code::Enoent);
        let oldest = Table::open(&dir.table(), Some(3), &Default::default()).await.unwrap();
        assert_eq!(rows_of(&oldest.scan_all().await.unwrap()), rows[..3]);
        let newest = Table::open(&dir.table(), None, &Default::default()).await.unwrap();
        assert_eq!(newest.version(), 5);
        assert_eq!(rows_of(&newest.scan_all().await.unwrap()), rows);
        let history: serde_json::Value =
            serde_json::from_str(&newest.history().await.unwrap()).unwrap();
        let versions: Vec<i64> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["version"].as_i64().unwrap())
            .collect();
        assert_eq!(versions, [3, 4, 5]);

        assert!(table.cleanup_log(2).await.unwrap().deleted.is_empty());
        let past = table.cleanup_log(6).await.err().unwrap();
        assert_eq!(past.code, Code::Einval);
    });
}
