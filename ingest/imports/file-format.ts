/** Which kind of file an import is, decided by its first bytes rather than its name. */
import { errors } from '../../common/errors.ts';

export type ImportFormat = 'txt' | 'csv' | 'xlsx';

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/** xlsx (a zip), csv (a header row naming contact fields) or txt (one number per line). */
export function detectFormat(head: Buffer, decodedFirstLine: string): ImportFormat {
  if (head.subarray(0, 4).equals(ZIP)) return 'xlsx';
  // Encrypted .xlsx files and legacy .xls are OLE compound documents.
  if (head.subarray(0, 8).equals(OLE)) {
    throw errors.importRefused('the file is a password-protected workbook or a legacy .xls file: save it as an unprotected .xlsx or as CSV');
  }
  return /[,;\t]/.test(decodedFirstLine) && /[A-Za-z_\u4e00-\u9fff]/.test(decodedFirstLine) ? 'csv' : 'txt';
}

/**
 * A format the caller forced must fit the bytes: a workbook that is not a zip (an empty body, text) would
 * leave the streaming xlsx reader waiting for an archive that never comes.
 */
export function checkForcedFormat(format: ImportFormat, head: Buffer): void {
  if (format === 'xlsx' && !head.subarray(0, 4).equals(ZIP)) throw errors.importRefused('the file is not an .xlsx workbook (an .xlsx file is a zip archive)');
}
