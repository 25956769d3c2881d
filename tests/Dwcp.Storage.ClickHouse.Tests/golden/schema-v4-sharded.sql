-- migration 1: FOCUS 1.2 cost rows, versioned loads with partition pointers, daily and hourly rollups

-- on Coordinator, stage 1
CREATE TABLE IF NOT EXISTS loads (
  load_id UInt64, revision UInt8, status String, description String,
  started_at DateTime('UTC'), committed_at Nullable(DateTime('UTC')), row_count UInt64, owner String)
ENGINE = ReplacingMergeTree(revision) ORDER BY load_id;

-- on Coordinator, stage 1
CREATE TABLE IF NOT EXISTS load_files (load_id UInt64, path String, sha256 String, row_count UInt64)
ENGINE = MergeTree ORDER BY (sha256, load_id);

-- on Coordinator, stage 1
CREATE TABLE IF NOT EXISTS partition_history (
  billing_account_id String, billing_period_start DateTime('UTC'), load_id UInt64, row_count UInt64,
  billed_cost Decimal(38, 15), published_at DateTime('UTC'), replaced_load_id Nullable(UInt64))
ENGINE = MergeTree ORDER BY (billing_account_id, billing_period_start, load_id);

-- on Coordinator, stage 1
CREATE TABLE IF NOT EXISTS partition_versions (
  billing_account_id String, billing_period_start DateTime('UTC'), load_id UInt64, row_count UInt64,
  billed_cost Decimal(38, 15), published_at DateTime('UTC'))
ENGINE = ReplacingMergeTree(load_id) ORDER BY (billing_account_id, billing_period_start);

-- on Coordinator, stage 1
CREATE TABLE IF NOT EXISTS purged_versions (
  billing_account_id String, billing_period_start DateTime('UTC'), load_id UInt64, purged_at DateTime('UTC'))
ENGINE = MergeTree ORDER BY (billing_account_id, billing_period_start, load_id);

-- on EachShard, stage 1
CREATE TABLE IF NOT EXISTS cost_rows_local (
  load_id UInt64, row_seq UInt64, charge_date Date,
  AvailabilityZone Nullable(String),
  BilledCost Nullable(Decimal(38, 15)),
  BillingAccountId String,
  BillingAccountName Nullable(String),
  BillingAccountType Nullable(String),
  BillingCurrency Nullable(String),
  BillingPeriodEnd Nullable(DateTime('UTC')), BillingPeriodEnd_us UInt32,
  BillingPeriodStart DateTime('UTC'), BillingPeriodStart_us UInt32,
  CapacityReservationId Nullable(String),
  CapacityReservationStatus Nullable(String),
  ChargeCategory Nullable(String),
  ChargeClass Nullable(String),
  ChargeDescription Nullable(String),
  ChargeFrequency Nullable(String),
  ChargePeriodEnd Nullable(DateTime('UTC')), ChargePeriodEnd_us UInt32,
  ChargePeriodStart DateTime('UTC'), ChargePeriodStart_us UInt32,
  CommitmentDiscountCategory Nullable(String),
  CommitmentDiscountId Nullable(String),
  CommitmentDiscountName Nullable(String),
  CommitmentDiscountQuantity Nullable(Decimal(38, 15)),
  CommitmentDiscountStatus Nullable(String),
  CommitmentDiscountType Nullable(String),
  CommitmentDiscountUnit Nullable(String),
  ConsumedQuantity Nullable(Decimal(38, 15)),
  ConsumedUnit Nullable(String),
  ContractedCost Nullable(Decimal(38, 15)),
  ContractedUnitPrice Nullable(Decimal(38, 15)),
  EffectiveCost Nullable(Decimal(38, 15)),
  InvoiceId Nullable(String),
  InvoiceIssuerName Nullable(String),
  ListCost Nullable(Decimal(38, 15)),
  ListUnitPrice Nullable(Decimal(38, 15)),
  PricingCategory Nullable(String),
  PricingCurrency Nullable(String),
  PricingCurrencyContractedUnitPrice Nullable(Decimal(38, 15)),
  PricingCurrencyEffectiveCost Nullable(Decimal(38, 15)),
  PricingCurrencyListUnitPrice Nullable(Decimal(38, 15)),
  PricingQuantity Nullable(Decimal(38, 15)),
  PricingUnit Nullable(String),
  ProviderName Nullable(String),
  PublisherName Nullable(String),
  RegionId Nullable(String),
  RegionName Nullable(String),
  ResourceId Nullable(String),
  ResourceName Nullable(String),
  ResourceType Nullable(String),
  ServiceCategory Nullable(String),
  ServiceName Nullable(String),
  ServiceSubcategory Nullable(String),
  SkuId Nullable(String),
  SkuMeter Nullable(String),
  SkuPriceDetails Nullable(String),
  SkuPriceId Nullable(String),
  SubAccountId Nullable(String),
  SubAccountName Nullable(String),
  SubAccountType Nullable(String),
  Tags Nullable(String),
  tag_keys Array(String), tag_values Array(String), x_extensions Nullable(String), source_file Nullable(String), source_line Int64)
ENGINE = MergeTree PARTITION BY toYYYYMM(charge_date)
ORDER BY (BillingAccountId, charge_date, ifNull(ServiceName, ''), load_id, intHash32(row_seq))
SAMPLE BY intHash32(row_seq);

-- on EachShard, stage 1
CREATE TABLE IF NOT EXISTS cost_daily_local (
  load_id UInt64, billing_account_id String, billing_period_start DateTime('UTC'), day Date, provider Nullable(String), sub_account Nullable(String), service Nullable(String), service_category Nullable(String), region Nullable(String), charge_category Nullable(String), pricing_category Nullable(String), currency Nullable(String), consumed_unit Nullable(String),
  billed AggregateFunction(sum, Decimal(38, 15)), effective AggregateFunction(sum, Decimal(38, 15)), list AggregateFunction(sum, Decimal(38, 15)), qty AggregateFunction(sum, Decimal(38, 15)), qty_count AggregateFunction(sum, UInt64), row_count AggregateFunction(count))
ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(day)
ORDER BY (load_id, billing_account_id, billing_period_start, day, ifNull(provider, ''), isNull(provider), ifNull(sub_account, ''), isNull(sub_account), ifNull(service, ''), isNull(service), ifNull(service_category, ''), isNull(service_category), ifNull(region, ''), isNull(region), ifNull(charge_category, ''), isNull(charge_category), ifNull(pricing_category, ''), isNull(pricing_category), ifNull(currency, ''), isNull(currency), ifNull(consumed_unit, ''), isNull(consumed_unit));

-- on EachShard, stage 2
CREATE MATERIALIZED VIEW IF NOT EXISTS cost_daily_local_mv TO cost_daily_local AS
SELECT load_id, BillingAccountId AS billing_account_id, BillingPeriodStart AS billing_period_start, charge_date AS day, ProviderName AS provider, SubAccountId AS sub_account, ServiceName AS service, ServiceCategory AS service_category, coalesce(RegionId, RegionName) AS region, ChargeCategory AS charge_category, PricingCategory AS pricing_category, BillingCurrency AS currency, ConsumedUnit AS consumed_unit,
  sumState(ifNull(BilledCost, toDecimal128(0, 15))) AS billed, sumState(ifNull(EffectiveCost, toDecimal128(0, 15))) AS effective, sumState(ifNull(ListCost, toDecimal128(0, 15))) AS list, sumState(ifNull(ConsumedQuantity, toDecimal128(0, 15))) AS qty, sumState(toUInt64(isNotNull(ConsumedQuantity))) AS qty_count, countState() AS row_count
FROM cost_rows_local
GROUP BY load_id, billing_account_id, billing_period_start, day, provider, sub_account, service, service_category, region, charge_category, pricing_category, currency, consumed_unit;

-- on EachShard, stage 1
CREATE TABLE IF NOT EXISTS cost_hourly_local (
  load_id UInt64, billing_account_id String, billing_period_start DateTime('UTC'), hour DateTime('UTC'), provider Nullable(String), service Nullable(String), region Nullable(String), currency Nullable(String),
  billed AggregateFunction(sum, Decimal(38, 15)), effective AggregateFunction(sum, Decimal(38, 15)), list AggregateFunction(sum, Decimal(38, 15)), row_count AggregateFunction(count))
ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(toDate(hour))
ORDER BY (load_id, billing_account_id, billing_period_start, hour, ifNull(provider, ''), isNull(provider), ifNull(service, ''), isNull(service), ifNull(region, ''), isNull(region), ifNull(currency, ''), isNull(currency));

-- on EachShard, stage 2
CREATE MATERIALIZED VIEW IF NOT EXISTS cost_hourly_local_mv TO cost_hourly_local AS
SELECT load_id, BillingAccountId AS billing_account_id, BillingPeriodStart AS billing_period_start, toStartOfHour(ChargePeriodStart) AS hour, ProviderName AS provider, ServiceName AS service, coalesce(RegionId, RegionName) AS region, BillingCurrency AS currency,
  sumState(ifNull(BilledCost, toDecimal128(0, 15))) AS billed, sumState(ifNull(EffectiveCost, toDecimal128(0, 15))) AS effective, sumState(ifNull(ListCost, toDecimal128(0, 15))) AS list, countState() AS row_count
FROM cost_rows_local
GROUP BY load_id, billing_account_id, billing_period_start, hour, provider, service, region, currency;

-- on Distributed, stage 2
CREATE TABLE IF NOT EXISTS cost_rows AS cost_rows_local ENGINE = Distributed(dwcp, dwcp, cost_rows_local, cityHash64(BillingAccountId, BillingPeriodStart));

-- on Distributed, stage 2
CREATE TABLE IF NOT EXISTS cost_daily AS cost_daily_local ENGINE = Distributed(dwcp, dwcp, cost_daily_local);

-- on Distributed, stage 2
CREATE TABLE IF NOT EXISTS cost_hourly AS cost_hourly_local ENGINE = Distributed(dwcp, dwcp, cost_hourly_local);
-- migration 2: cost_summary_daily: the daily rollup without sub-account, for dashboard queries

-- on EachShard, stage 1
CREATE TABLE IF NOT EXISTS cost_summary_daily_local (
  load_id UInt64, billing_account_id String, billing_period_start DateTime('UTC'), day Date, provider Nullable(String), service Nullable(String), service_category Nullable(String), region Nullable(String), charge_category Nullable(String), pricing_category Nullable(String), currency Nullable(String), consumed_unit Nullable(String),
  billed AggregateFunction(sum, Decimal(38, 15)), effective AggregateFunction(sum, Decimal(38, 15)), list AggregateFunction(sum, Decimal(38, 15)), qty AggregateFunction(sum, Decimal(38, 15)), qty_count AggregateFunction(sum, UInt64), row_count AggregateFunction(count))
ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(day)
ORDER BY (load_id, billing_account_id, billing_period_start, day, ifNull(provider, ''), isNull(provider), ifNull(service, ''), isNull(service), ifNull(service_category, ''), isNull(service_category), ifNull(region, ''), isNull(region), ifNull(charge_category, ''), isNull(charge_category), ifNull(pricing_category, ''), isNull(pricing_category), ifNull(currency, ''), isNull(currency), ifNull(consumed_unit, ''), isNull(consumed_unit));

-- on EachShard, stage 2
INSERT INTO cost_summary_daily_local SELECT load_id, BillingAccountId AS billing_account_id, BillingPeriodStart AS billing_period_start, charge_date AS day, ProviderName AS provider, ServiceName AS service, ServiceCategory AS service_category, coalesce(RegionId, RegionName) AS region, ChargeCategory AS charge_category, PricingCategory AS pricing_category, BillingCurrency AS currency, ConsumedUnit AS consumed_unit,
  sumState(ifNull(BilledCost, toDecimal128(0, 15))) AS billed, sumState(ifNull(EffectiveCost, toDecimal128(0, 15))) AS effective, sumState(ifNull(ListCost, toDecimal128(0, 15))) AS list, sumState(ifNull(ConsumedQuantity, toDecimal128(0, 15))) AS qty, sumState(toUInt64(isNotNull(ConsumedQuantity))) AS qty_count, countState() AS row_count
FROM cost_rows_local WHERE (SELECT count() FROM cost_summary_daily_local) = 0
GROUP BY load_id, billing_account_id, billing_period_start, day, provider, service, service_category, region, charge_category, pricing_category, currency, consumed_unit;

-- on EachShard, stage 3
CREATE MATERIALIZED VIEW IF NOT EXISTS cost_summary_daily_local_mv TO cost_summary_daily_local AS
SELECT load_id, BillingAccountId AS billing_account_id, BillingPeriodStart AS billing_period_start, charge_date AS day, ProviderName AS provider, ServiceName AS service, ServiceCategory AS service_category, coalesce(RegionId, RegionName) AS region, ChargeCategory AS charge_category, PricingCategory AS pricing_category, BillingCurrency AS currency, ConsumedUnit AS consumed_unit,
  sumState(ifNull(BilledCost, toDecimal128(0, 15))) AS billed, sumState(ifNull(EffectiveCost, toDecimal128(0, 15))) AS effective, sumState(ifNull(ListCost, toDecimal128(0, 15))) AS list, sumState(ifNull(ConsumedQuantity, toDecimal128(0, 15))) AS qty, sumState(toUInt64(isNotNull(ConsumedQuantity))) AS qty_count, countState() AS row_count
FROM cost_rows_local
GROUP BY load_id, billing_account_id, billing_period_start, day, provider, service, service_category, region, charge_category, pricing_category, currency, consumed_unit;

-- on Distributed, stage 3
CREATE TABLE IF NOT EXISTS cost_summary_daily AS cost_summary_daily_local ENGINE = Distributed(dwcp, dwcp, cost_summary_daily_local);
-- migration 3: cost_tag_daily: the summary rollup per tag key and value, for tag queries

-- on EachShard, stage 1
CREATE TABLE IF NOT EXISTS cost_tag_daily_local (
  load_id UInt64, billing_account_id String, billing_period_start DateTime('UTC'), day Date, tag_key String, tag_value String, provider Nullable(String), service Nullable(String), service_category Nullable(String), region Nullable(String), charge_category Nullable(String), pricing_category Nullable(String), currency Nullable(String), consumed_unit Nullable(String),
  billed AggregateFunction(sum, Decimal(38, 15)), effective AggregateFunction(sum, Decimal(38, 15)), list AggregateFunction(sum, Decimal(38, 15)), qty AggregateFunction(sum, Decimal(38, 15)), qty_count AggregateFunction(sum, UInt64), row_count AggregateFunction(count))
ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(day)
ORDER BY (tag_key, tag_value, load_id, billing_account_id, billing_period_start, day, ifNull(provider, ''), isNull(provider), ifNull(service, ''), isNull(service), ifNull(service_category, ''), isNull(service_category), ifNull(region, ''), isNull(region), ifNull(charge_category, ''), isNull(charge_category), ifNull(pricing_category, ''), isNull(pricing_category), ifNull(currency, ''), isNull(currency), ifNull(consumed_unit, ''), isNull(consumed_unit));

-- on EachShard, stage 2
INSERT INTO cost_tag_daily_local SELECT load_id, BillingAccountId AS billing_account_id, BillingPeriodStart AS billing_period_start, charge_date AS day, tag_key, tag_value, ProviderName AS provider, ServiceName AS service, ServiceCategory AS service_category, coalesce(RegionId, RegionName) AS region, ChargeCategory AS charge_category, PricingCategory AS pricing_category, BillingCurrency AS currency, ConsumedUnit AS consumed_unit,
  sumState(ifNull(BilledCost, toDecimal128(0, 15))) AS billed, sumState(ifNull(EffectiveCost, toDecimal128(0, 15))) AS effective, sumState(ifNull(ListCost, toDecimal128(0, 15))) AS list, sumState(ifNull(ConsumedQuantity, toDecimal128(0, 15))) AS qty, sumState(toUInt64(isNotNull(ConsumedQuantity))) AS qty_count, countState() AS row_count
FROM cost_rows_local ARRAY JOIN tag_keys AS tag_key, tag_values AS tag_value, arrayEnumerate(tag_keys) AS tag_pos WHERE indexOf(tag_keys, tag_key) = tag_pos AND (SELECT count() FROM cost_tag_daily_local) = 0
GROUP BY load_id, billing_account_id, billing_period_start, day, tag_key, tag_value, provider, service, service_category, region, charge_category, pricing_category, currency, consumed_unit;

-- on EachShard, stage 3
CREATE MATERIALIZED VIEW IF NOT EXISTS cost_tag_daily_local_mv TO cost_tag_daily_local AS
SELECT load_id, BillingAccountId AS billing_account_id, BillingPeriodStart AS billing_period_start, charge_date AS day, tag_key, tag_value, ProviderName AS provider, ServiceName AS service, ServiceCategory AS service_category, coalesce(RegionId, RegionName) AS region, ChargeCategory AS charge_category, PricingCategory AS pricing_category, BillingCurrency AS currency, ConsumedUnit AS consumed_unit,
  sumState(ifNull(BilledCost, toDecimal128(0, 15))) AS billed, sumState(ifNull(EffectiveCost, toDecimal128(0, 15))) AS effective, sumState(ifNull(ListCost, toDecimal128(0, 15))) AS list, sumState(ifNull(ConsumedQuantity, toDecimal128(0, 15))) AS qty, sumState(toUInt64(isNotNull(ConsumedQuantity))) AS qty_count, countState() AS row_count
FROM cost_rows_local ARRAY JOIN tag_keys AS tag_key, tag_values AS tag_value, arrayEnumerate(tag_keys) AS tag_pos WHERE indexOf(tag_keys, tag_key) = tag_pos
GROUP BY load_id, billing_account_id, billing_period_start, day, tag_key, tag_value, provider, service, service_category, region, charge_category, pricing_category, currency, consumed_unit;

-- on Distributed, stage 3
CREATE TABLE IF NOT EXISTS cost_tag_daily AS cost_tag_daily_local ENGINE = Distributed(dwcp, dwcp, cost_tag_daily_local);
-- migration 4: cost_summary_hourly: the summary rollup per UTC hour with every measure, replacing cost_hourly

-- on EachShard, stage 1
CREATE TABLE IF NOT EXISTS cost_summary_hourly_local (
  load_id UInt64, billing_account_id String, billing_period_start DateTime('UTC'), hour DateTime('UTC'), provider Nullable(String), service Nullable(String), service_category Nullable(String), region Nullable(String), charge_category Nullable(String), pricing_category Nullable(String), currency Nullable(String), consumed_unit Nullable(String),
  billed AggregateFunction(sum, Decimal(38, 15)), effective AggregateFunction(sum, Decimal(38, 15)), list AggregateFunction(sum, Decimal(38, 15)), qty AggregateFunction(sum, Decimal(38, 15)), qty_count AggregateFunction(sum, UInt64), row_count AggregateFunction(count))
ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(toDate(hour))
ORDER BY (load_id, billing_account_id, billing_period_start, hour, ifNull(provider, ''), isNull(provider), ifNull(service, ''), isNull(service), ifNull(service_category, ''), isNull(service_category), ifNull(region, ''), isNull(region), ifNull(charge_category, ''), isNull(charge_category), ifNull(pricing_category, ''), isNull(pricing_category), ifNull(currency, ''), isNull(currency), ifNull(consumed_unit, ''), isNull(consumed_unit));

-- on EachShard, stage 2
INSERT INTO cost_summary_hourly_local SELECT load_id, BillingAccountId AS billing_account_id, BillingPeriodStart AS billing_period_start, toStartOfHour(ChargePeriodStart) AS hour, ProviderName AS provider, ServiceName AS service, ServiceCategory AS service_category, coalesce(RegionId, RegionName) AS region, ChargeCategory AS charge_category, PricingCategory AS pricing_category, BillingCurrency AS currency, ConsumedUnit AS consumed_unit,
  sumState(ifNull(BilledCost, toDecimal128(0, 15))) AS billed, sumState(ifNull(EffectiveCost, toDecimal128(0, 15))) AS effective, sumState(ifNull(ListCost, toDecimal128(0, 15))) AS list, sumState(ifNull(ConsumedQuantity, toDecimal128(0, 15))) AS qty, sumState(toUInt64(isNotNull(ConsumedQuantity))) AS qty_count, countState() AS row_count
FROM cost_rows_local WHERE (SELECT count() FROM cost_summary_hourly_local) = 0
GROUP BY load_id, billing_account_id, billing_period_start, hour, provider, service, service_category, region, charge_category, pricing_category, currency, consumed_unit;

-- on EachShard, stage 3
CREATE MATERIALIZED VIEW IF NOT EXISTS cost_summary_hourly_local_mv TO cost_summary_hourly_local AS
SELECT load_id, BillingAccountId AS billing_account_id, BillingPeriodStart AS billing_period_start, toStartOfHour(ChargePeriodStart) AS hour, ProviderName AS provider, ServiceName AS service, ServiceCategory AS service_category, coalesce(RegionId, RegionName) AS region, ChargeCategory AS charge_category, PricingCategory AS pricing_category, BillingCurrency AS currency, ConsumedUnit AS consumed_unit,
  sumState(ifNull(BilledCost, toDecimal128(0, 15))) AS billed, sumState(ifNull(EffectiveCost, toDecimal128(0, 15))) AS effective, sumState(ifNull(ListCost, toDecimal128(0, 15))) AS list, sumState(ifNull(ConsumedQuantity, toDecimal128(0, 15))) AS qty, sumState(toUInt64(isNotNull(ConsumedQuantity))) AS qty_count, countState() AS row_count
FROM cost_rows_local
GROUP BY load_id, billing_account_id, billing_period_start, hour, provider, service, service_category, region, charge_category, pricing_category, currency, consumed_unit;

-- on EachShard, stage 4
DROP TABLE IF EXISTS cost_hourly_local_mv;

-- on EachShard, stage 5
DROP TABLE IF EXISTS cost_hourly_local;

-- on Distributed, stage 3
CREATE TABLE IF NOT EXISTS cost_summary_hourly AS cost_summary_hourly_local ENGINE = Distributed(dwcp, dwcp, cost_summary_hourly_local);

-- on Distributed, stage 4
DROP TABLE IF EXISTS cost_hourly;
