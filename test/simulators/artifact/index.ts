export {
  startBlobStore,
  type BlobContainer,
  type BlobStore,
  type BlobStoreOptions,
  type StoredBlob
} from './blob-store.js'
export { type SasPermission } from './blob-sas.js'
export { startCacheService, type CacheFault, type CacheService } from './cache-service.js'
export { type CacheEntry } from './cache-store.js'
export { type CacheV1Call } from './cache-v1.js'
export { CACHE_SERVICE } from './cache-v2.js'
export {
  REALISTIC_RESULTS_MODES,
  startResultsService,
  type ArtifactRecord,
  type DuplicateNames,
  type IdOrder,
  type InheritedArtifacts,
  type ResultsService,
  type ResultsServiceModes
} from './results-service.js'
export {
  startRestApi,
  type RestApi,
  type RestCall,
  type RestFault,
  type RestRun,
  type TokenGrant
} from './rest-api.js'
export {
  CACHE_READ,
  CACHE_WRITE,
  runtimeToken,
  RuntimeTokens,
  type BackendIds,
  type CacheScope,
  type RuntimeCaller
} from './runtime-token.js'
export {
  childEnv,
  DEFAULT_BRANCH,
  GHES_SERVER_URL,
  startArtifactStack,
  type ArtifactStack,
  type ArtifactStackOptions,
  type GitHubPlatform,
  type RunAttempt,
  type WorkflowRun
} from './stack.js'
export { type JsonObject, type RecordedCall, type TwirpService } from './twirp.js'
export {
  listZipEntries,
  readZipDirectory,
  ZIP_METHOD_DEFLATE,
  ZIP_METHOD_STORED,
  type ZipEntry
} from './zip-reader.js'
export { zipStored } from './zip-writer.js'
export { emptyEntries, hostileZip, type HostileEntry } from './hostile-zips.js'
export { hostileModes, type HostileAnswer, type HostileModes } from './hostile.js'
