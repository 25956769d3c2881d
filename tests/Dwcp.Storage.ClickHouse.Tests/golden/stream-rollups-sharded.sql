-- stream rollups (ClickHouseRollupSchema), applied at every open

-- on Coordinator, stage 1
CREATE TABLE IF NOT EXISTS stream_rollup_batches (version UInt64, status String, row_count UInt64, written_at DateTime('UTC'))
ENGINE = MergeTree ORDER BY version;

-- on EachShard, stage 1
CREATE TABLE IF NOT EXISTS stream_rollups_local (
  window_start DateTime('UTC'), window_start_us UInt32, window_end DateTime('UTC'), window_end_us UInt32,
  window_size_us Int64, slide_us Int64,
  event_type String, resource_id String, provider String, region String, service String, account String, tags String,
  metric String, event_count Int64, value_count Int64,
  sum_bits UInt64, min_bits UInt64, max_bits UInt64, avg_bits UInt64, last_bits UInt64, p50_bits UInt64, p95_bits UInt64, p99_bits UInt64,
  last_at DateTime('UTC'), last_at_us UInt32, written_at DateTime('UTC'), version UInt64,
  sum Float64 DEFAULT reinterpretAsFloat64(reinterpretAsString(sum_bits)), min Float64 DEFAULT reinterpretAsFloat64(reinterpretAsString(min_bits)), max Float64 DEFAULT reinterpretAsFloat64(reinterpretAsString(max_bits)), avg Float64 DEFAULT reinterpretAsFloat64(reinterpretAsString(avg_bits)), last Float64 DEFAULT reinterpretAsFloat64(reinterpretAsString(last_bits)), p50 Float64 DEFAULT reinterpretAsFloat64(reinterpretAsString(p50_bits)), p95 Float64 DEFAULT reinterpretAsFloat64(reinterpretAsString(p95_bits)), p99 Float64 DEFAULT reinterpretAsFloat64(reinterpretAsString(p99_bits)))
ENGINE = ReplacingMergeTree(version) PARTITION BY toYYYYMM(window_start)
ORDER BY (metric, window_size_us, event_type, window_start, window_start_us, slide_us, resource_id, provider, region, service, account, tags);

-- on Distributed, stage 2
CREATE TABLE IF NOT EXISTS stream_rollups AS stream_rollups_local ENGINE = Distributed(dwcp, dwcp, stream_rollups_local, cityHash64(metric, event_type, resource_id, provider, region, service, account, tags));

-- on EachShard, stage 1
CREATE TABLE IF NOT EXISTS stream_custom_rollups_local (
  window_start DateTime('UTC'), window_start_us UInt32, window_end DateTime('UTC'), window_end_us UInt32,
  window_size_us Int64, slide_us Int64,
  event_type String, resource_id String, provider String, region String, service String, account String, tags String,
  name String, type String, value_bits UInt64, partial UInt8, event_count Int64, written_at DateTime('UTC'), version UInt64,
  value Float64 DEFAULT reinterpretAsFloat64(reinterpretAsString(value_bits)))
ENGINE = ReplacingMergeTree(version) PARTITION BY toYYYYMM(window_start)
ORDER BY (name, window_size_us, event_type, window_start, window_start_us, slide_us, resource_id, provider, region, service, account, tags);

-- on Distributed, stage 2
CREATE TABLE IF NOT EXISTS stream_custom_rollups AS stream_custom_rollups_local ENGINE = Distributed(dwcp, dwcp, stream_custom_rollups_local, cityHash64(name, event_type, resource_id, provider, region, service, account, tags));
