/** ReportSubject names what a report is about: the image as the user wrote it, and its ID. */
export interface ReportSubject {
  name: string;
  id?: string;
  /** created: the image config's creation time (RFC 3339), when known. */
  created?: string;
}
