/**
 * Node's Buffer methods behind write(string, offset) and toString for UTF-8: not in its
 * typings, and without the argument checks of the public ones.
 */
export interface Utf8Buffer {
  utf8Write(value: string, offset: number): number;
  utf8Slice(start: number, end: number): string;
}
