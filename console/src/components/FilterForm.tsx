import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { EMPTY, type Filters, PRESETS, presetRange } from '../lib/filters';

interface Option {
  value: string;
  label: string;
}

/** Drop-down options from an API call; empty (with the API's words logged) when it fails. */
function useOptions(load: () => Promise<Option[]>, deps: unknown[]): Option[] {
  const [options, setOptions] = useState<Option[]>([]);
  useEffect(() => {
    let live = true;
    load().then(
      (o) => live && setOptions(o),
      () => live && setOptions([]),
    );
    return () => {
      live = false;
    };
  }, deps);
  return options;
}

interface Props {
  value: Filters;
  onChange: (f: Filters) => void;
  onSearch: (f: Filters) => void;
}

/** The dashboard's filters: directory and catalogue drop-downs, text fields, Central Time range. */
export function FilterForm({ value: f, onChange, onSearch }: Props) {
  const set = (patch: Partial<Filters>) => onChange({ ...f, ...patch });

  const companies = useOptions(async () => {
    const { data } = await api.GET('/pyaudit/api/audit-events/get-all-companies');
    return (data?.Data ?? []).map((c) => ({ value: String(c.CompanyID), label: `${c.CompanyName} (${c.CompanyID})` }));
  }, []);
  const stores = useOptions(async () => {
    if (f.company_id === '') return [];
    const { data } = await api.GET('/pyaudit/api/audit-events/get-storelocations-by-company', {
      params: { query: { company_id: Number(f.company_id) } },
    });
    return (data?.Data ?? []).map((s) => ({
      value: String(s.StoreLocationID),
      label: `${s.StoreName} (${s.StoreLocationID})`,
    }));
  }, [f.company_id]);
  const functionalities = useOptions(async () => {
    const { data } = await api.GET('/pyaudit/api/audit-events/get-all-auditfunctionalities');
    return (data?.Data ?? []).map((x) => ({ value: x.FunctionalityName, label: x.FunctionalityName }));
  }, []);
  const eventTypes = useOptions(async () => {
    if (f.functionality === '') return [];
    const { data } = await api.GET('/pyaudit/api/audit-events/get-eventtypenames-by-functionalityname', {
      params: { query: { functionalityname: f.functionality } },
    });
    return (data?.events ?? []).map((x) => ({ value: x.EventTypeName, label: x.EventTypeName }));
  }, [f.functionality]);

  const select = (id: keyof Filters, label: string, options: Option[], patch?: Partial<Filters>) => (
    <div class="field">
      <label for={`f-${id}`}>{label}</label>
      <select id={`f-${id}`} value={String(f[id])} onChange={(e) => set({ [id]: e.currentTarget.value, ...patch })}>
        <option value="">Any</option>
        {/* Keep a value from the URL selectable even before (or without) its option loading. */}
        {f[id] !== '' && !options.some((o) => o.value === f[id]) && (
          <option value={String(f[id])}>{String(f[id])}</option>
        )}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
  const text = (id: keyof Filters, label: string, placeholder = '') => (
    <div class="field">
      <label for={`f-${id}`}>{label}</label>
      <input
        id={`f-${id}`}
        type="text"
        value={String(f[id])}
        placeholder={placeholder}
        onInput={(e) => set({ [id]: e.currentTarget.value })}
      />
    </div>
  );

  return (
    <form
      class="filters"
      aria-label="Search filters"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(f);
      }}
    >
      {select('company_id', 'Company', companies, { store_id: '' })}
      {select('store_id', 'Store', stores)}
      {text('user', 'User')}
      {select('functionality', 'Functionality', functionalities, { event_type: '' })}
      {select('event_type', 'Event type', eventTypes)}
      {text('message_pattern', 'Message contains')}
      {select('status', 'Status', [
        { value: 'Success', label: 'Success' },
        { value: 'Failed', label: 'Failed' },
      ])}
      {text('from_date', 'From (Central Time)', 'MM-DD-YYYY HH:MM:SS')}
      {text('to_date', 'To (Central Time)', 'MM-DD-YYYY HH:MM:SS')}
      <fieldset class="presets">
        <legend>Range</legend>
        {PRESETS.map((p) => (
          <button key={p.id} type="button" onClick={() => onSearch({ ...f, ...presetRange(p.id) })}>
            {p.label}
          </button>
        ))}
      </fieldset>
      <div class="field checkbox">
        <input
          id="f-include_archived"
          type="checkbox"
          checked={f.include_archived}
          onChange={(e) => set({ include_archived: e.currentTarget.checked })}
        />
        <label for="f-include_archived">Include archive</label>
      </div>
      <div class="actions">
        <button type="submit" class="primary">
          Search
        </button>
        <button type="button" onClick={() => onSearch({ ...f, ...EMPTY })}>
          Clear
        </button>
      </div>
    </form>
  );
}
