export { startAzurite, type AzuriteHandle } from './azurite.js'
export { openBlobContainer, type BlobContainer, type SasPermission } from './blob-store.js'
export {
  startResultsService,
  type ArtifactRecord,
  type RecordedCall,
  type ResultsService
} from './results-service.js'
export { childEnv, runtimeToken, startArtifactStack, type ArtifactStack } from './stack.js'
export {
  listZipEntries,
  readZipDirectory,
  ZIP_METHOD_DEFLATE,
  ZIP_METHOD_STORED,
  type ZipEntry
} from './zip-reader.js'
