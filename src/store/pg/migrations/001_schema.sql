-- spinewatch ward server, schema version 1.
-- Run by `spinewatch server init` as a role that may create schemas and roles; the objects
-- belong to that role. Clinicians reach the data only through the grants below: SELECT under
-- row-level security, and the SECURITY DEFINER functions for every change.

CREATE SCHEMA spinewatch;
REVOKE ALL ON SCHEMA spinewatch FROM PUBLIC;

CREATE TABLE spinewatch.meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- The installation's namespace for FHIR fullUrls (FHIR.md): one per ward server, made here.
INSERT INTO spinewatch.meta (key, value)
VALUES ('installation_namespace', gen_random_uuid()::text);

-- One PostgreSQL role per ward; membership in it is access to the ward's cases.
CREATE TABLE spinewatch.wards (
    name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 40),
    role name NOT NULL UNIQUE
);

CREATE TABLE spinewatch.cases (
    id         text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,64}$'),
    ward       text NOT NULL REFERENCES spinewatch.wards (name),
    doc        jsonb NOT NULL,
    version    bigint NOT NULL CHECK (version >= 1),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL DEFAULT session_user
);
CREATE INDEX cases_ward ON spinewatch.cases (ward);

-- The trail: the file store's entry form (seq, at, user, path, old, new, prev, case, hash).
-- `old`/`new` are json (not jsonb) so their text, which the hash covers, is kept exactly.
CREATE TABLE spinewatch.audit (
    case_id     text NOT NULL,
    seq         bigint NOT NULL CHECK (seq >= 1),
    at          text NOT NULL,
    "user"      text NOT NULL,
    path        text NOT NULL,
    old         json NOT NULL,
    new         json NOT NULL,
    prev_hash   text NOT NULL,
    case_hash   text,
    hash        text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    recorded_by text NOT NULL DEFAULT session_user,
    PRIMARY KEY (case_id, seq)
);

-- Roles: every ward role is a spinewatch_clinician; the coordinator role reads every ward.
-- Roles belong to the whole server, not this database: another database's init may be
-- creating them right now.
DO $$
BEGIN
    BEGIN
        CREATE ROLE spinewatch_clinician NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE spinewatch_read_all NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
END
$$;

GRANT USAGE ON SCHEMA spinewatch TO spinewatch_clinician, spinewatch_read_all;
GRANT SELECT ON spinewatch.meta, spinewatch.wards TO spinewatch_clinician, spinewatch_read_all;
GRANT SELECT ON spinewatch.cases, spinewatch.audit TO spinewatch_clinician, spinewatch_read_all;

-- Whether the session's role may see cases of `p_ward`.
CREATE FUNCTION spinewatch.may_read(p_ward text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_has_role(session_user, 'spinewatch_read_all', 'MEMBER')
        OR EXISTS (SELECT 1 FROM spinewatch.wards w
                   WHERE w.name = p_ward AND pg_has_role(session_user, w.role, 'MEMBER'));
$$;

-- Whether the session's role may change cases of `p_ward`.
CREATE FUNCTION spinewatch.may_write(p_ward text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM spinewatch.wards w
                   WHERE w.name = p_ward AND pg_has_role(session_user, w.role, 'MEMBER'));
$$;

ALTER TABLE spinewatch.cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE spinewatch.audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY cases_by_ward ON spinewatch.cases FOR SELECT USING (spinewatch.may_read(ward));
CREATE POLICY audit_by_ward ON spinewatch.audit FOR SELECT USING (
    EXISTS (SELECT 1 FROM spinewatch.cases c WHERE c.id = case_id));

-- The wards the session's role may add cases to.
CREATE FUNCTION spinewatch.my_wards() RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT w.name FROM spinewatch.wards w
    WHERE pg_has_role(session_user, w.role, 'MEMBER') ORDER BY w.name;
$$;

-- The line an entry's hash covers: exactly what the file store writes (serde_json, compact,
-- keys in this order), so a trail exported from here verifies offline.
CREATE FUNCTION spinewatch.entry_line(p_seq bigint, p_at text, p_user text, p_path text,
                                      p_old json, p_new json, p_prev text, p_case text)
RETURNS text LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT '{"seq":' || p_seq::text
        || ',"at":' || to_json(p_at)::text
        || ',"user":' || to_json(p_user)::text
        || ',"path":' || to_json(p_path)::text
        || ',"old":' || p_old::text
        || ',"new":' || p_new::text
        || ',"prev":' || to_json(p_prev)::text
        || CASE WHEN p_case IS NULL THEN '' ELSE ',"case":' || to_json(p_case)::text END
        || '}';
$$;

-- Appends entries to a case's trail; the caller holds the case row locked.
-- p_entries: a json array of {"path", "old", "new"}; time and user are the server's.
CREATE FUNCTION spinewatch.append_entries(p_id text, p_entries json, p_case text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_seq  bigint;
    v_prev text;
    v_at   text := to_char(now(), 'YYYY-MM-DD"T"HH24:MI');
    v_hash text;
    e      json;
    v_line text;
BEGIN
    SELECT a.seq, a.hash INTO v_seq, v_prev FROM spinewatch.audit a
    WHERE a.case_id = p_id ORDER BY a.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        v_seq := 0;
        v_prev := repeat('0', 64);
    END IF;
    FOR e IN SELECT * FROM json_array_elements(p_entries) LOOP
        v_seq := v_seq + 1;
            v_line := spinewatch.entry_line(v_seq, v_at, session_user, e->>'path', e->'old',
                                            e->'new', v_prev, p_case);
            v_hash := encode(sha256(convert_to(v_line, 'UTF8')), 'hex');
            INSERT INTO spinewatch.audit (case_id, seq, at, "user", path, old, new, prev_hash,
                                          case_hash, hash)
            VALUES (p_id, v_seq, v_at, session_user, e->>'path', e->'old', e->'new', v_prev,
                    p_case, v_hash);
            v_prev := v_hash;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION spinewatch.append_entries(text, json, text) FROM PUBLIC;

-- `migrate-from`: one file-store case in one step — the row, its trail exactly as it was
-- (p_trail: the entries with their own at/user/prev/case/hash; `recorded_*` say who copied
-- them when), then the migration's own entries (p_entries) stamped by the server. For the
-- schema owner only (no grant).
CREATE FUNCTION spinewatch.copy_case(p_id text, p_ward text, p_doc jsonb, p_trail json,
                                     p_entries json, p_case text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO spinewatch.cases (id, ward, doc, version) VALUES (p_id, p_ward, p_doc, 1);
    INSERT INTO spinewatch.audit (case_id, seq, at, "user", path, old, new, prev_hash,
                                  case_hash, hash)
    SELECT p_id, (e->>'seq')::bigint, e->>'at', e->>'user', e->>'path', e->'old', e->'new',
           e->>'prev', e->>'case', e->>'hash'
    FROM json_array_elements(p_trail) AS e
    ON CONFLICT (case_id, seq) DO NOTHING;
    PERFORM spinewatch.append_entries(p_id, p_entries, p_case);
    PERFORM pg_notify('spinewatch',
        json_build_object('ward', p_ward, 'id', p_id, 'version', 1)::text);
END
$$;
REVOKE ALL ON FUNCTION spinewatch.copy_case(text, text, jsonb, json, json, text) FROM PUBLIC;

-- Creates (p_expect 0) or saves a case and appends its entries, in one transaction:
-- compare-and-swap on `version`, the ward checked against the session's role. Returns the new
-- version. Errors: SW404 no such case (or not of the caller's wards), SW409 changed since
-- p_expect (the message names who), SW400 the id exists / was used, SW403 not the caller's ward.
CREATE FUNCTION spinewatch.save_case(p_id text, p_ward text, p_doc jsonb, p_expect bigint,
                                     p_entries json, p_case text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_row  spinewatch.cases%ROWTYPE;
    v_ward text;
    v_version bigint;
BEGIN
    IF p_doc->>'id' IS DISTINCT FROM p_id OR jsonb_typeof(p_doc) <> 'object' THEN
        RAISE EXCEPTION 'the document''s id is not %', p_id USING ERRCODE = 'SW400';
    END IF;
    SELECT * INTO v_row FROM spinewatch.cases WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        IF p_expect <> 0 THEN
            RAISE EXCEPTION 'no case %', p_id USING ERRCODE = 'SW404';
        END IF;
        IF EXISTS (SELECT 1 FROM spinewatch.audit WHERE case_id = p_id) THEN
            RAISE EXCEPTION 'the id % was used before (its audit trail exists); ids are never reused', p_id
                USING ERRCODE = 'SW400';
        END IF;
        v_ward := p_ward;
        IF v_ward IS NULL OR NOT spinewatch.may_write(v_ward) THEN
            RAISE EXCEPTION 'you may not add cases to ward %', coalesce(v_ward, '(none)')
                USING ERRCODE = 'SW403';
        END IF;
        IF json_array_length(p_entries) = 0 THEN
            RAISE EXCEPTION 'a new case needs its first audit entry' USING ERRCODE = 'SW400';
        END IF;
        v_version := 1;
        INSERT INTO spinewatch.cases (id, ward, doc, version)
        VALUES (p_id, v_ward, jsonb_set(p_doc, '{ward}', to_jsonb(v_ward)), v_version);
    ELSE
        IF NOT spinewatch.may_read(v_row.ward) THEN
            RAISE EXCEPTION 'no case %', p_id USING ERRCODE = 'SW404';
        END IF;
        IF p_expect = 0 THEN
            RAISE EXCEPTION 'a case % exists already; nothing was overwritten', p_id
                USING ERRCODE = 'SW400';
        END IF;
        IF NOT spinewatch.may_write(v_row.ward) THEN
            RAISE EXCEPTION 'case % belongs to ward %, which you may read but not change', p_id, v_row.ward
                USING ERRCODE = 'SW403';
        END IF;
        IF v_row.version <> p_expect THEN
            RAISE EXCEPTION 'changed by % at % (version % is now %); nothing was written',
                v_row.updated_by, to_char(v_row.updated_at, 'YYYY-MM-DD HH24:MI'), p_expect, v_row.version
                USING ERRCODE = 'SW409', DETAIL = v_row.updated_by;
        END IF;
        v_ward := coalesce(p_ward, v_row.ward);
        IF v_ward <> v_row.ward AND NOT spinewatch.may_write(v_ward) THEN
            RAISE EXCEPTION 'you may not move cases to ward %', v_ward USING ERRCODE = 'SW403';
        END IF;
        IF json_array_length(p_entries) = 0
           AND (v_row.doc - 'ui' - 'store') <> (jsonb_set(p_doc, '{ward}', to_jsonb(v_ward)) - 'ui' - 'store') THEN
            RAISE EXCEPTION 'a change of case % needs its audit entries; nothing was written', p_id
                USING ERRCODE = 'SW400';
        END IF;
        v_version := v_row.version + 1;
        UPDATE spinewatch.cases
        SET ward = v_ward, doc = jsonb_set(p_doc, '{ward}', to_jsonb(v_ward)), version = v_version,
            updated_at = now(), updated_by = session_user
        WHERE id = p_id;
    END IF;
    PERFORM spinewatch.append_entries(p_id, p_entries, p_case);
    PERFORM pg_notify('spinewatch',
        json_build_object('ward', v_ward, 'id', p_id, 'version', v_version)::text);
    RETURN v_version;
END
$$;
REVOKE ALL ON FUNCTION spinewatch.save_case(text, text, jsonb, bigint, json, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spinewatch.save_case(text, text, jsonb, bigint, json, text)
    TO spinewatch_clinician;

REVOKE ALL ON FUNCTION spinewatch.may_read(text), spinewatch.may_write(text),
    spinewatch.my_wards() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spinewatch.may_read(text), spinewatch.may_write(text),
    spinewatch.my_wards() TO spinewatch_clinician, spinewatch_read_all;
