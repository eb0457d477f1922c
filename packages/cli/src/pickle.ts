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
