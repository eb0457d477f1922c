/**
 * ZIP record signatures and limits (PKWARE APPNOTE.TXT 6.3.x): the export writer
 * (workers/src/export/archive.ts) and `facet export`'s reader (packages/cli/src/unzip.ts) share them.
 */
export const ZIP_SIG_LOCAL = 0x04034b50; // 4.3.7 local file header
export const ZIP_SIG_DESCRIPTOR = 0x08074b50; // 4.3.9 data descriptor
export const ZIP_SIG_CENTRAL = 0x02014b50; // 4.3.12 central directory header
export const ZIP_SIG_ZIP64_END = 0x06064b50; // 4.3.14 ZIP64 end of central directory record
export const ZIP_SIG_ZIP64_LOCATOR = 0x07064b50; // 4.3.15 ZIP64 end of central directory locator
export const ZIP_SIG_END = 0x06054b50; // 4.3.16 end of central directory record
/** 4.5.3: the ZIP64 extended information extra field's id. */
export const ZIP64_EXTRA_ID = 0x0001;
/** A 32-bit field holding this (or more) says "see the ZIP64 record"; 16-bit counts likewise. */
export const ZIP_MAX32 = 0xffffffff;
export const ZIP_MAX16 = 0xffff;
