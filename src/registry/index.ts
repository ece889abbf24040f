/** The registry client's public API (see README.md in this folder). */
export { RegistryClient, type RegistryClientOptions, type RegistryRequest, type RegistryResponse } from './registry-client.js';
export { Registries } from './registries.js';
export { RemoteRepository, type BlobPushResult, type PushBlobOptions } from './remote-repository.js';
export { pullImage, listRemoteTags, type PullOptions, type PullResult } from './pull.js';
export { pushImage, localTagsOf, type PushOptions, type PushResult } from './push.js';
export { ensureImage, type EnsureImageOptions, type PullPolicy } from './ensure-image.js';
export { hostPlatform, parsePlatform, formatPlatform, selectManifest, type PlatformSpec } from './platform.js';
export { DockerCredentialStore, serverKey, type Credentials, type CredentialSource } from './credentials.js';
export { resolveEndpoint, insecureRegistries, type Endpoint } from './endpoint.js';
export { fetchManifest, type FetchedManifest } from './manifest-fetch.js';
export { blobBatches } from './blob-reader.js';
export type { LayerEvent, LayerStatus, TransferListener } from './transfer-events.js';
export * from './errors.js';
export { pushArtifact, pullArtifact, type Artifact, type ArtifactTransferOptions, type PulledArtifact } from './artifact.js';
