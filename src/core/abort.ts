// The error a cancelled request ends with, everywhere (engine, decoding loop, completion path).

export function abortError(): Error {
  const error = new Error('cancelled');
  error.name = 'AbortError';
  return error;
}
