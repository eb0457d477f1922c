export * from "./analytics";
export type { AnnotationDocument, PrelabelSummary } from "./annotation";
export { annotationDocumentSchema, faceIndexSchema, MAX_FACES, prelabelSummarySchema } from "./annotation";
export type { ApiKeyScope } from "./api-keys";
export { API_KEY_PATTERN, API_KEY_SCOPES, apiKeyScopeSchema, SCOPE_FOR } from "./api-keys";
export { type AuditFilter, auditFilterQuery, parseAuditFilter } from "./audit-filter";
export { blobKey, quarantineKey, sha256HexSchema, uploadKey } from "./content-address";
export { csvLine } from "./csv";
export * from "./curation";
export type { ErrorCode } from "./errors";
export { AppError, ERROR_STATUS, isAppError, isErrorCode } from "./errors";
export { FUSION360_SEG_CLASSES, FUSION360_SEG_KEYS, fusion360SegLabels, readSegFile } from "./formats/fusion360-seg";
export { readMfinstsegClasses } from "./formats/mfinstseg";
export { pickleIntList, readPickledIntList } from "./formats/pickle";
export * from "./formats/zip";
export type { JobKind, JobPayload, JobRun } from "./jobs";
export {
  JOB_KINDS,
  jobKindSchema,
  jobPayloadSchemas,
  jobRunSchema,
  MAINTENANCE_TASKS,
  TRIGGER_TASK_FOR_KIND,
} from "./jobs";
export type {
  FaceCheck,
  FaceGraph,
  FaceMark,
  GrowMode,
  LabelContext,
  LabelEdge,
  LabelFace,
  LabelInstance,
  LabelState,
} from "./labelling";
export {
  assignFeature,
  buildFaceGraph,
  checkCounts,
  emptyLabelState,
  FACE_CHECK_LABELS,
  FACE_CHECKS,
  faceCheckSchema,
  faceChecks,
  growSelection,
  instanceOfFace,
  labelCounts,
  labelStateFromDocument,
  labelStateToDocument,
  marksFromChecks,
  measureInstance,
  mergeInstances,
  nextUnlabelled,
  regroupInstances,
  setInstanceParam,
  splitInstance,
  submissionProblems,
  toggleBottomFace,
  unconfirmedFaces,
  unlabelledFaces,
  unsureFaces,
} from "./labelling";
export type { PrelabelTranslation, TranslatedPrelabel } from "./labelling/prelabel-translate";
export { translatePrelabel } from "./labelling/prelabel-translate";
export type { ClassDraft, MergeDraft } from "./labelling/schema-edit";
export { draftFeatureTypes, mappingFromDrafts } from "./labelling/schema-edit";
export type { LabelSchemaFile } from "./labelling/schema-io";
export {
  issueLines,
  labelSchemaFile,
  labelSchemaFileSchema,
  labelSchemaNameSchema,
  parseLabelSchemaFile,
  SCHEMA_FILE_FORMAT,
} from "./labelling/schema-io";
export type { MappedDocument, MappingChange, SchemaMapping } from "./labelling/schema-mapping";
export { applyMapping, checkMapping, describeChange, schemaMappingSchema } from "./labelling/schema-mapping";
export type { LogFields, Logger, LoggerOptions, LogLevel } from "./log";
export { createLogger, isWellFormedRequestId, LOG_LEVELS } from "./log";
export * from "./metrics";
export { classifyStorageKey, modelKey, type StorageObject } from "./ops/storage-keys";
export { hashUnit, random } from "./random";
export type {
  FaceChange,
  GuestComment,
  NewComment,
  NewShareLink,
  ReviewDecision,
  ReviewInput,
  ReviewNote,
  ShareAccess,
  TextSegment,
} from "./review";
export {
  changedFaces,
  commentBodySchema,
  diffCounts,
  FACE_CHANGE_LABELS,
  faceDiff,
  guestCommentSchema,
  mentionHandles,
  newCommentSchema,
  newShareLinkSchema,
  REVIEW_DECISIONS,
  reviewInputSchema,
  reviewNoteSchema,
  SHARE_ACCESS,
  shareTokenSchema,
  splitMentions,
  stepChange,
} from "./review";
export type { Capability, MemberRole, NavSection } from "./roles";
export {
  CAPABILITIES,
  MEMBER_ROLES,
  memberRoleSchema,
  navSectionsFor,
  ROLE_LABELS,
  roleCan,
  roleInSentence,
} from "./roles";
export type { PartStatus } from "./status";
export {
  CLAIMABLE_STATUSES,
  canTransition,
  PART_STATUSES,
  PART_TRANSITIONS,
  partStatusSchema,
  STATUS_LABELS,
} from "./status";
export type { Crosswalk, FeatureType, ParameterDefinition, Taxonomy } from "./taxonomy";
export {
  crosswalkSchema,
  DEFAULT_TAXONOMY,
  featureTypeSchema,
  hierarchyProblems,
  labelsByStepName,
  parameterDefinitionSchema,
  taxonomySchema,
} from "./taxonomy";
export {
  emailSchema,
  isWellFormedText,
  passwordSchema,
  safeRedirectPath,
  slugify,
  slugSchema,
  uuidSchema,
  wellFormedPrefix,
  workspaceNameSchema,
} from "./validation";
export type { Vec3 } from "./vec3";
export { cross, dot, length, sub, unit } from "./vec3";
