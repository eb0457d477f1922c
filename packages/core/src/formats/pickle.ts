/**
 * MFCAD's `.face_truth` files: a Python pickle (protocol 2–3) of a list of small integers, the class of
 * each face. Read by `facet import-labels`, written by the MFCAD export; one home for both directions.
 */

/**
 * Reads the Python pickles MFCAD's `.face_truth` files hold: a list of small integers (protocol 2).
 * Only the opcodes such a list uses are accepted; anything else is refused, nothing is executed.
 */
export function readPickledIntList(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  let inList = false;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (i < bytes.length) {
    const op = bytes[i++] as number;
    switch (op) {
      case 0x80: // PROTO n
        i++;
        break;
      case 0x5d: // EMPTY_LIST
        inList = true;
        break;
      case 0x71: // BINPUT n (memo): ignored
        i++;
        break;
      case 0x72: // LONG_BINPUT
        i += 4;
        break;
      case 0x28: // MARK
      case 0x65: // APPENDS
      case 0x61: // APPEND
        break;
      case 0x4b: // BININT1
        out.push(bytes[i++] as number);
        break;
      case 0x4d: // BININT2
        out.push(dv.getUint16(i, true));
        i += 2;
        break;
      case 0x4a: // BININT
        out.push(dv.getInt32(i, true));
        i += 4;
        break;
      case 0x2e: // STOP
        if (!inList) throw new Error("not a pickled list");
        return out;
      default:
        throw new Error(`unsupported pickle opcode 0x${op.toString(16)} at byte ${i - 1}`);
    }
  }
  throw new Error("truncated pickle");
}

/**
 * A Python pickle (protocol 3, as MFCAD's `.face_truth` files are) of a list of small non-negative
 * integers: appended in batches of 1000 as Python's pickler does.
 */
export function pickleIntList(values: readonly number[]): Uint8Array {
  const out: number[] = [0x80, 0x03, 0x5d, 0x71, 0x00];
  for (let i = 0; i < values.length; i += 1000) {
    const batch = values.slice(i, i + 1000);
    if (batch.length > 1) out.push(0x28);
    for (const v of batch) {
      if (!Number.isInteger(v) || v < 0) throw new Error(`${v} is not a class id`);
      if (v < 0x100) out.push(0x4b, v);
      else if (v < 0x10000) out.push(0x4d, v & 0xff, v >> 8);
      else out.push(0x4a, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
    }
    out.push(batch.length > 1 ? 0x65 : 0x61);
  }
  out.push(0x2e);
  return new Uint8Array(out);
}
