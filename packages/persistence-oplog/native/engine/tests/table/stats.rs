//! Per-partition statistics come from the log's add actions: files, bytes and rows.

use crate::common::{Row, TempDir, commit, create, run};

#[test]
fn partition_stats_count_each_partitions_files_bytes_and_rows() {
    let dir = TempDir::new();
    run(async {
        let table = create(&dir, &[]).await;
        commit(
            &table,
            &[Row::file("b", "x", 1, 1), Row::file("a", "y", 1, 1)],
        )
        .await;
        commit(
            &table,
            &[Row::file("b", "x", 2, 2), Row::file("b", "z", 1, 2)],
        )
        .await;
        let stats = table.partition_stats().await.unwrap();
        let summary: Vec<(&str, u32, Option<i64>)> = stats
            .iter()
            .map(|s| (s.part_id.as_str(), s.files, s.rows))
            .collect();
        assert_eq!(summary, [("a", 1, Some(1)), ("b", 2, Some(3))]);
        for partition in &stats {
            let on_disk: u64 = std::fs::read_dir(
                dir.path()
                    .join("pond")
                    .join(format!("part_id={}", partition.part_id)),
            )
            .unwrap()
            .map(|f| f.unwrap().metadata().unwrap().len())
            .sum();
            assert_eq!(partition.bytes, on_disk as i64);
        }
    });
}
