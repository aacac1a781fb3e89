import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
  type ContainerClient
} from '@azure/storage-blob'

// Azurite's public development account; the key is published in Microsoft's docs, not a secret.
const DEV_ACCOUNT = 'devstoreaccount1'
const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
const SAS_TTL_MS = 60 * 60 * 1000

export type SasPermission = 'cw' | 'r'

/** One Azurite container plus the means to hand out SAS URLs for blobs inside it. */
export interface BlobContainer {
  name: string
  client: ContainerClient
  ensureExists(): Promise<void>
  signedUrl(blobPath: string, permissions: SasPermission): string
}

export function openBlobContainer(blobUrl: string, name: string): BlobContainer {
  const credential = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY)
  const client = new BlobServiceClient(blobUrl, credential).getContainerClient(name)
  let created: Promise<unknown> | undefined
  return {
    name,
    client,
    async ensureExists() {
      created ??= client.createIfNotExists()
      try {
        await created
      } catch (error) {
        created = undefined // let the next call try again
        throw error
      }
    },
    signedUrl(blobPath, permissions) {
      const sas = generateBlobSASQueryParameters(
        {
          containerName: name,
          blobName: blobPath,
          permissions: BlobSASPermissions.parse(permissions),
          // Azurite speaks plain http on loopback.
          protocol: SASProtocol.HttpsAndHttp,
          startsOn: new Date(Date.now() - 60_000),
          expiresOn: new Date(Date.now() + SAS_TTL_MS)
        },
        credential
      )
      return `${client.getBlobClient(blobPath).url}?${sas.toString()}`
    }
  }
}
