/** Apps: every app of the account, searched by name, image or description. */
import { useState } from 'react';
import { Link } from 'react-router';
import { all } from '../api/client.js';
import type { App } from '../api/types.js';
import { formatTime } from '../ui/format.js';
import { useLoad } from '../ui/hooks.js';
import { ErrorNote, Loading, PageTitle } from '../ui/parts.js';

/** An app's image as text: a reference, or a built image by id. */
export const imageText = (image: App['image']) => (typeof image === 'string' ? image : `built image ${image.imageId}${image.build ? ` #${image.build}` : ''}`);

export function AppsPage() {
  const { data, error } = useLoad(() => all<App>('/apps'), []);
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  const shown = (data ?? []).filter(
    (app) => !needle || [app.name, imageText(app.image), app.description ?? ''].some((text) => text.toLowerCase().includes(needle)),
  );
  return (
    <>
      <PageTitle
        actions={
          <Link className="button" to="/apps/new">
            New app
          </Link>
        }
      >
        Apps
      </PageTitle>
      <div className="field inline">
        <label htmlFor="app-search">Search</label>
        <input id="app-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name, image or description" />
      </div>
      <ErrorNote error={error} />
      {!data ? (
        <Loading />
      ) : shown.length === 0 ? (
        <p className="muted">{data.length ? 'No app matches.' : 'No apps yet.'}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Image</th>
                <th scope="col">Version</th>
                <th scope="col">Changed</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((app) => (
                <tr key={app.appId}>
                  <td>
                    <Link to={`/apps/${app.appId}`}>{app.name}</Link>
                  </td>
                  <td className="mono">{imageText(app.image)}</td>
                  <td>{app.version}</td>
                  <td>{formatTime(app.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
