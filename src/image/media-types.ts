/** Media types of OCI image-spec v1.1 and Docker's schema2, as they appear on the wire. */
export const MediaType = {
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

export type MediaType = (typeof MediaType)[keyof typeof MediaType];

export function isManifestMediaType(m: string): boolean {
  return m === MediaType.OciManifest || m === MediaType.DockerManifest;
}

export function isIndexMediaType(m: string): boolean {
  return m === MediaType.OciIndex || m === MediaType.DockerManifestList;
}

export function isLayerMediaType(m: string): boolean {
  return (
    m === MediaType.OciLayer ||
    m === MediaType.OciLayerGzip ||
    m === MediaType.OciLayerZstd ||
    m === MediaType.DockerLayerGzip ||
    m === MediaType.DockerForeignLayerGzip
  );
}
