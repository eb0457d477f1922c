export type { CatalogFilter, CatalogSortKey, CountCondition, CountOp, Range, SurfaceType } from "./catalog-filter";
export {
  CATALOG_SORTS,
  COUNT_OPS,
  catalogFilterQuery,
  isEmptyCatalogFilter,
  parseCatalogFilter,
  SURFACE_TYPES,
  tagSchema,
} from "./catalog-filter";
export type {
  ExportFormat,
  ManifestComparison,
  ManifestDrift,
  SnapshotManifest,
  SnapshotPart,
  SnapshotVerifyReport,
} from "./snapshot";
export {
  compareSnapshotParts,
  EXPORT_FORMATS,
  faceChangesByClass,
  SNAPSHOT_MANIFEST_FORMAT,
  type SnapshotDatabaseState,
  snapshotChecksumText,
  snapshotDatabaseProblems,
  snapshotManifestKey,
  snapshotManifestProblems,
  snapshotManifestSchema,
  snapshotNameSchema,
  snapshotPartSchema,
} from "./snapshot";
export type { SplitAssignment, SplitConfig, SplitItem, SplitLeak, SplitOutcome } from "./splits";
export {
  assignSplits,
  DEFAULT_SPLIT_CONFIG,
  groupsFromPairs,
  SPLIT_NAME_PATTERN,
  splitConfigSchema,
  splitNameSchema,
  stableHash,
} from "./splits";
