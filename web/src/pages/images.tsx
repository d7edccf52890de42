/** Images built from source: the list, and a new one from a Dockerfile and uploaded files or a folder. */
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError, all, post } from '../api/client.js';
import type { Image } from '../api/types.js';
import { formatTime } from '../ui/format.js';
import { useLoad, useSubmit } from '../ui/hooks.js';
import { ErrorNote, Field, Loading, PageTitle } from '../ui/parts.js';

/** A context file as the API takes it: base64, so any file (binary too) arrives as it was. */
type FileInput = { base64: string };

/** The chosen files by their path in the context: a folder's files lose the folder's own name (it is the context's root). */
export async function contextOf(files: FileList | File[]): Promise<Record<string, FileInput>> {
  const entries = await Promise.all(
    [...files].map(async (file) => {
      const relative = (file as File & { webkitRelativePath?: string }).webkitRelativePath;
      const path = relative ? relative.split('/').slice(1).join('/') : file.name;
      const bytes = new Uint8Array(await file.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return [path, { base64: btoa(binary) }] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export function ImagesPage() {
  const images = useLoad(() => all<Image>('/images'), []);
  return (
    <>
      <PageTitle>Images</PageTitle>
      <NewImage />
      <section aria-labelledby="list">
        <h2 id="list">Your images</h2>
        <ErrorNote error={images.error} />
        {!images.data ? (
          <Loading />
        ) : images.data.length === 0 ? (
          <p className="muted">No images yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Files</th>
                  <th scope="col">Builds</th>
                  <th scope="col">Changed</th>
                </tr>
              </thead>
              <tbody>
                {images.data.map((image) => (
                  <tr key={image.imageId}>
                    <td>
                      <Link to={`/images/${image.imageId}`}>{image.name}</Link>
                    </td>
                    <td>{Object.keys(image.files).length}</td>
                    <td>
                      {image.buildCount}
                      {image.activeBuild ? ' (building)' : ''}
                    </td>
                    <td>{formatTime(image.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function NewImage() {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [dockerfile, setDockerfile] = useState('FROM containerizer/busybox:latest\n');
  const [files, setFiles] = useState<File[]>([]);
  const addFiles = (list: FileList | null) => list && setFiles((current) => [...current, ...list]);
  const { busy, error, submit } = useSubmit(async () => {
    const context = await contextOf(files);
    const body = context.Dockerfile ? { name, files: context } : { name, files: context, dockerfile };
    const image = await post<Image>('/images', body);
    navigate(`/images/${image.imageId}`);
  });
  const errorsOf = (field: string) => (error instanceof ApiError ? error.fieldErrors(field) : undefined);
  return (
    <section aria-labelledby="new">
      <h2 id="new">New image</h2>
      <form onSubmit={submit} noValidate>
        <Field id="image-name" label="Name" errors={errorsOf('name')}>
          <input id="image-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <Field id="dockerfile" label="Dockerfile (unless you upload one)" errors={errorsOf('dockerfile')}>
          <textarea id="dockerfile" className="mono" rows={5} value={dockerfile} onChange={(e) => setDockerfile(e.target.value)} />
        </Field>
        <div className="row">
          <Field id="upload-files" label="Add files" errors={errorsOf('files')}>
            <input id="upload-files" type="file" multiple onChange={(e) => addFiles(e.target.files)} />
          </Field>
          <Field id="upload-folder" label="Add a folder">
            <input id="upload-folder" type="file" multiple {...{ webkitdirectory: '' }} onChange={(e) => addFiles(e.target.files)} />
          </Field>
        </div>
        {files.length > 0 && (
          <p>
            {files.length} file(s): {files.map((file) => (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name).join(', ')}{' '}
            <button type="button" className="link" onClick={() => setFiles([])}>
              Clear
            </button>
          </p>
        )}
        {!(error instanceof ApiError && error.problem.errors?.length) && <ErrorNote error={error} />}
        <button type="submit" disabled={busy}>
          Create image
        </button>
      </form>
    </section>
  );
}
