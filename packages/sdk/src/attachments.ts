// An uploaded file (`POST /api/attachments`), to pass in `council.start({ attachmentIds })`.
export interface Attachment {
  id: string;
  name: string;
  kind: 'text' | 'pdf' | 'image';
  mediaType: string;
  size: number;
  textChars: number;
}

// An upload or download the server refused: `status`, and a message naming the file and the limit.
export class AttachmentError extends Error {
  override readonly name = 'AttachmentError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
  }
}

type Authorize = () => Promise<Record<string, string>>;

// Attachments travel as multipart/form-data over plain HTTP; an expired session token is
// refreshed once and the request sent again, like a tRPC call.
export async function sendAttachmentRequest(
  fetchImpl: typeof fetch,
  authorize: Authorize,
  refresh: () => Promise<boolean>,
  url: string,
  init: () => RequestInit,
): Promise<Response> {
  const send = async () => {
    const base = init();
    return fetchImpl(url, {
      ...base,
      headers: { ...(base.headers as Record<string, string>), ...(await authorize()) },
    });
  };
  let response = await send();
  if (response.status === 401 && (await refresh())) response = await send();
  if (response.ok) return response;
  const body = (await response.json().catch(() => null)) as { error?: { message?: string; code?: string } } | null;
  throw new AttachmentError(
    body?.error?.message ?? `The server answered ${response.status}`,
    response.status,
    body?.error?.code ?? null,
  );
}
