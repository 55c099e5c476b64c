//! Compaction rewrites a partition's many small files as few, as a version of its own that
//! changes no row; older versions keep reading the old files.

use pond_oplog_engine::{CompactOptions, Table};

use crate::common::{Row, TempDir, commit, create, data_files_on_disk, rows_of, run};

#[test]
fn compaction_rewrites_a_partitions_files_as_one_without_changing_a_row() {
    let dir = TempDir::new();
    run(async {
        let table = create(&dir, &[]).await;
        let mut rows = Vec::new();
        for txn in 1..=4 {
            let row = Row::file("dir", &format!("n{}", 5 - txn), 1, txn);
            commit(&table, std::slice::from_ref(&row)).await;
            rows.push(row);
        }
        rows.sort();
        let done = table.compact(5, CompactOptions::default()).await.unwrap();
        assert_eq!(done.version, Some(5));
        assert_eq!(
            (
                done.partitions,
                done.files_removed,
                done.files_added,
                done.rows
            ),
            (1, 4, 1, 4)
        );
        assert!(done.bytes_removed > 0 && done.bytes_added > 0);
        assert_eq!(table.version(), 5);
        let stats = table.partition_stats().await.unwrap();
        assert_eq!((stats[0].files, stats[0].rows), (1, Some(4)));
        assert_eq!(rows_of(&table.scan_all().await.unwrap()), rows);
        // The removed files stay until vacuum: version 4 still reads them.
        assert_eq!(data_files_on_disk(&dir).len(), 5);
        let before = Table::open(&dir.table(), Some(4), &Default::default()).await.unwrap();
        assert_eq!(rows_of(&before.scan_all().await.unwrap()), rows);
        // Nothing a reader replays as new: compaction's files carry no data change.
        assert!(rows_of(&table.read_version(5).await.unwrap()).is_empty());
    });
}

#[test]
fn a_partition_with_fewer_files_than_asked_is_left_alone() {
    let dir = TempDir::new();
    run(async {
        let table = create(&dir, &[]).await;
        commit(&table, &[Row::file("a", "x", 1, 1)]).await;
        commit(&table, &[Row::file("b", "y", 1, 2)]).await;
        commit(&table, &[Row::file("b", "z", 1, 3)]).await;
        let only_a = CompactOptions {
            part_ids: Some(vec!["a".into()]),
            ..CompactOptions::default()
        };
        let done = table.compact(4, only_a).await.unwrap();
        assert_eq!((done.version, done.partitions), (None, 0));
        assert_eq!(table.version(), 3);
        let three = CompactOptions {
            min_files: 3,
            ..CompactOptions::default()
        };
        assert_eq!(table.compact(4, three).await.unwrap().version, None);
        let done = table.compact(4, CompactOptions::default()).await.unwrap();
        assert_eq!((done.version, done.partitions), (Some(4), 1));
        let files: Vec<(String, u32)> = table
            .partition_stats()
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.part_id, s.files))
            .collect();
        assert_eq!(files, [("a".to_string(), 1), ("b".to_string(), 1)]);
    });
}
