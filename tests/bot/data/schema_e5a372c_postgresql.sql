-- The bot's schema at release e5a372c (before issues 10-12), for postgresql: generated from
-- that release's SQLModel models (CreateTable/CreateIndex compiled for the dialect).
-- tests/bot/test_schema.py upgrades a database made from it. Do not edit.

CREATE TABLE broadcast_worker_beat (
	worker_id VARCHAR(64) NOT NULL, 
	platform VARCHAR(16) NOT NULL, 
	beat_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (worker_id, platform)
);
CREATE INDEX ix_broadcast_worker_beat_beat_at ON broadcast_worker_beat (beat_at);

CREATE TABLE person (
	display_name VARCHAR(200) NOT NULL, 
	id SERIAL NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE unit (
	name VARCHAR(120) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	parent_id INTEGER, 
	id SERIAL NOT NULL, 
	path VARCHAR(512) NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT ck_unit_kind CHECK (kind IN ('province', 'district', 'commune', 'cell', 'other')), 
	FOREIGN KEY(parent_id) REFERENCES unit (id)
);
CREATE INDEX ix_unit_parent_id ON unit (parent_id);
CREATE INDEX ix_unit_path ON unit (path);

CREATE TABLE broadcast (
	text VARCHAR(4000) NOT NULL, 
	sender_label VARCHAR(300) NOT NULL, 
	doc_number VARCHAR(64), 
	attachment_platform VARCHAR(16), 
	attachment_file_id VARCHAR(255), 
	attachment_name VARCHAR(255), 
	target_unit_ids VARCHAR(2000) NOT NULL, 
	roles VARCHAR(32) NOT NULL, 
	include_groups BOOLEAN NOT NULL, 
	require_confirmation BOOLEAN NOT NULL, 
	deadline_at TIMESTAMP WITH TIME ZONE, 
	scheduled_at TIMESTAMP WITH TIME ZONE, 
	id SERIAL NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	created_by_person_id INTEGER, 
	origin_platform VARCHAR(16), 
	origin_chat_id VARCHAR(64), 
	compose_step VARCHAR(16), 
	parent_id INTEGER, 
	progress_message_id VARCHAR(64), 
	progress_updated_at TIMESTAMP WITH TIME ZONE, 
	report_sent BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	confirmed_at TIMESTAMP WITH TIME ZONE, 
	finished_at TIMESTAMP WITH TIME ZONE, 
	PRIMARY KEY (id), 
	CONSTRAINT ck_broadcast_status CHECK (status IN ('draft', 'scheduled', 'sending', 'done', 'cancelled')), 
	FOREIGN KEY(created_by_person_id) REFERENCES person (id), 
	FOREIGN KEY(parent_id) REFERENCES broadcast (id)
);
CREATE INDEX ix_broadcast_created_by_person_id ON broadcast (created_by_person_id);
CREATE INDEX ix_broadcast_parent_id ON broadcast (parent_id);
CREATE INDEX ix_broadcast_status ON broadcast (status);

CREATE TABLE chat (
	platform VARCHAR(16) NOT NULL, 
	chat_id VARCHAR(64) NOT NULL, 
	kind VARCHAR(8) NOT NULL, 
	title VARCHAR(255) NOT NULL, 
	unit_id INTEGER, 
	id SERIAL NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	last_seen_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_chat_platform_chat UNIQUE (platform, chat_id), 
	CONSTRAINT ck_chat_kind CHECK (kind IN ('private', 'group')), 
	FOREIGN KEY(unit_id) REFERENCES unit (id)
);
CREATE INDEX ix_chat_unit_id ON chat (unit_id);

CREATE TABLE identity (
	platform VARCHAR(16) NOT NULL, 
	platform_user_id VARCHAR(64) NOT NULL, 
	display_name VARCHAR(200) NOT NULL, 
	id SERIAL NOT NULL, 
	person_id INTEGER NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	last_seen_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_identity_platform_user UNIQUE (platform, platform_user_id), 
	CONSTRAINT ck_identity_platform CHECK (platform IN ('telegram', 'zalo', 'local')), 
	FOREIGN KEY(person_id) REFERENCES person (id)
);
CREATE INDEX ix_identity_person_id ON identity (person_id);

CREATE TABLE invite_code (
	kind VARCHAR(8) NOT NULL, 
	unit_id INTEGER, 
	role VARCHAR(16), 
	person_id INTEGER, 
	expires_at TIMESTAMP WITH TIME ZONE, 
	max_uses INTEGER, 
	id SERIAL NOT NULL, 
	code VARCHAR(16) NOT NULL, 
	created_by_person_id INTEGER, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	uses INTEGER NOT NULL, 
	revoked BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT ck_invite_kind CHECK (kind IN ('unit', 'link')), 
	CONSTRAINT ck_invite_role CHECK (role IS NULL OR role IN ('officer', 'member')), 
	CONSTRAINT ck_invite_target CHECK ((kind = 'unit' AND unit_id IS NOT NULL AND role IS NOT NULL) OR (kind = 'link' AND person_id IS NOT NULL)), 
	FOREIGN KEY(unit_id) REFERENCES unit (id), 
	FOREIGN KEY(person_id) REFERENCES person (id), 
	UNIQUE (code), 
	FOREIGN KEY(created_by_person_id) REFERENCES person (id)
);
CREATE INDEX ix_invite_code_unit_id ON invite_code (unit_id);

CREATE TABLE membership (
	person_id INTEGER NOT NULL, 
	unit_id INTEGER NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	id SERIAL NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_membership_person_unit UNIQUE (person_id, unit_id), 
	CONSTRAINT ck_membership_role CHECK (role IN ('officer', 'member')), 
	FOREIGN KEY(person_id) REFERENCES person (id), 
	FOREIGN KEY(unit_id) REFERENCES unit (id)
);
CREATE INDEX ix_membership_person_id ON membership (person_id);
CREATE INDEX ix_membership_unit_id ON membership (unit_id);

CREATE TABLE poll (
	question VARCHAR(300) NOT NULL, 
	options_json VARCHAR(2000) NOT NULL, 
	multiple BOOLEAN NOT NULL, 
	anonymous BOOLEAN NOT NULL, 
	closes_at TIMESTAMP WITH TIME ZONE, 
	target_unit_ids VARCHAR(2000) NOT NULL, 
	roles VARCHAR(32) NOT NULL, 
	include_groups BOOLEAN NOT NULL, 
	id SERIAL NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	created_by_person_id INTEGER, 
	origin_platform VARCHAR(16), 
	origin_chat_id VARCHAR(64), 
	compose_step VARCHAR(16), 
	results_sent BOOLEAN NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	opened_at TIMESTAMP WITH TIME ZONE, 
	closed_at TIMESTAMP WITH TIME ZONE, 
	PRIMARY KEY (id), 
	CONSTRAINT ck_poll_status CHECK (status IN ('draft', 'open', 'closed', 'cancelled')), 
	FOREIGN KEY(created_by_person_id) REFERENCES person (id)
);
CREATE INDEX ix_poll_created_by_person_id ON poll (created_by_person_id);
CREATE INDEX ix_poll_status ON poll (status);

CREATE TABLE question_log (
	person_id INTEGER, 
	unit_id INTEGER, 
	platform VARCHAR(16) NOT NULL, 
	chat_id VARCHAR(64) NOT NULL, 
	text VARCHAR(4096) NOT NULL, 
	normalized_text VARCHAR(500) NOT NULL, 
	latency_ms INTEGER NOT NULL, 
	answered BOOLEAN NOT NULL, 
	top_doc_id VARCHAR(255), 
	top_section VARCHAR(255), 
	id SERIAL NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(person_id) REFERENCES person (id), 
	FOREIGN KEY(unit_id) REFERENCES unit (id)
);
CREATE INDEX ix_question_log_created_at ON question_log (created_at);
CREATE INDEX ix_question_log_person_id ON question_log (person_id);
CREATE INDEX ix_question_log_unit_id ON question_log (unit_id);

CREATE TABLE broadcast_event (
	id SERIAL NOT NULL, 
	broadcast_id INTEGER NOT NULL, 
	person_id INTEGER, 
	action VARCHAR(32) NOT NULL, 
	detail VARCHAR(1000) NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(broadcast_id) REFERENCES broadcast (id), 
	FOREIGN KEY(person_id) REFERENCES person (id)
);
CREATE INDEX ix_broadcast_event_broadcast_id ON broadcast_event (broadcast_id);
CREATE INDEX ix_broadcast_event_created_at ON broadcast_event (created_at);

CREATE TABLE broadcast_recipient (
	id SERIAL NOT NULL, 
	broadcast_id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	unit_id INTEGER NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	confirmed_at TIMESTAMP WITH TIME ZONE, 
	confirmed_platform VARCHAR(16), 
	PRIMARY KEY (id), 
	CONSTRAINT uq_recipient_broadcast_person UNIQUE (broadcast_id, person_id), 
	FOREIGN KEY(broadcast_id) REFERENCES broadcast (id), 
	FOREIGN KEY(person_id) REFERENCES person (id), 
	FOREIGN KEY(unit_id) REFERENCES unit (id)
);
CREATE INDEX ix_broadcast_recipient_broadcast_id ON broadcast_recipient (broadcast_id);
CREATE INDEX ix_broadcast_recipient_person_id ON broadcast_recipient (person_id);

CREATE TABLE delivery (
	id SERIAL NOT NULL, 
	broadcast_id INTEGER NOT NULL, 
	person_id INTEGER, 
	unit_id INTEGER NOT NULL, 
	platform VARCHAR(16) NOT NULL, 
	chat_id VARCHAR(64) NOT NULL, 
	chat_kind VARCHAR(8) NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	attempts INTEGER NOT NULL, 
	next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	last_error VARCHAR(300), 
	platform_message_id VARCHAR(64), 
	claimed_by VARCHAR(64), 
	claimed_at TIMESTAMP WITH TIME ZONE, 
	lease_until TIMESTAMP WITH TIME ZONE, 
	sent_at TIMESTAMP WITH TIME ZONE, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_delivery_broadcast_chat UNIQUE (broadcast_id, platform, chat_id), 
	CONSTRAINT ck_delivery_status CHECK (status IN ('pending', 'sending', 'sent', 'failed_permanent', 'cancelled')), 
	FOREIGN KEY(broadcast_id) REFERENCES broadcast (id), 
	FOREIGN KEY(person_id) REFERENCES person (id), 
	FOREIGN KEY(unit_id) REFERENCES unit (id)
);
CREATE INDEX ix_delivery_broadcast_id ON delivery (broadcast_id);
CREATE INDEX ix_delivery_claim ON delivery (status, next_attempt_at);

CREATE TABLE feedback (
	id SERIAL NOT NULL, 
	question_id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	value INTEGER NOT NULL, 
	created_at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_feedback_question_person UNIQUE (question_id, person_id), 
	CONSTRAINT ck_feedback_value CHECK (value IN (-1, 1)), 
	FOREIGN KEY(question_id) REFERENCES question_log (id), 
	FOREIGN KEY(person_id) REFERENCES person (id)
);
CREATE INDEX ix_feedback_person_id ON feedback (person_id);
CREATE INDEX ix_feedback_question_id ON feedback (question_id);

CREATE TABLE poll_answer_event (
	id SERIAL NOT NULL, 
	poll_id INTEGER NOT NULL, 
	person_id INTEGER, 
	voter_key VARCHAR(80) NOT NULL, 
	option_ids VARCHAR(40) NOT NULL, 
	at TIMESTAMP WITH TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(poll_id) REFERENCES poll (id), 
	FOREIGN KEY(person_id) REFERENCES person (id)
);
CREATE INDEX ix_poll_answer_event_poll_id ON poll_answer_event (poll_id);

CREATE TABLE poll_key (
	poll_id INTEGER NOT NULL, 
	key BYTEA NOT NULL, 
	PRIMARY KEY (poll_id), 
	FOREIGN KEY(poll_id) REFERENCES poll (id)
);

CREATE TABLE poll_message (
	id SERIAL NOT NULL, 
	poll_id INTEGER NOT NULL, 
	unit_id INTEGER NOT NULL, 
	platform VARCHAR(16) NOT NULL, 
	chat_id VARCHAR(64) NOT NULL, 
	chat_kind VARCHAR(8) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	message_id VARCHAR(64), 
	telegram_poll_id VARCHAR(64), 
	counts_json VARCHAR(400), 
	voters INTEGER NOT NULL, 
	error VARCHAR(300), 
	PRIMARY KEY (id), 
	CONSTRAINT uq_poll_message_chat UNIQUE (poll_id, platform, chat_id), 
	FOREIGN KEY(poll_id) REFERENCES poll (id), 
	FOREIGN KEY(unit_id) REFERENCES unit (id)
);
CREATE INDEX ix_poll_message_poll_id ON poll_message (poll_id);
CREATE INDEX ix_poll_message_telegram_poll_id ON poll_message (telegram_poll_id);

CREATE TABLE poll_vote (
	id SERIAL NOT NULL, 
	poll_id INTEGER NOT NULL, 
	unit_id INTEGER, 
	platform VARCHAR(16) NOT NULL, 
	voter_key VARCHAR(80), 
	person_id INTEGER, 
	option_ids VARCHAR(40) NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_poll_vote_voter UNIQUE (poll_id, voter_key), 
	FOREIGN KEY(poll_id) REFERENCES poll (id), 
	FOREIGN KEY(unit_id) REFERENCES unit (id), 
	FOREIGN KEY(person_id) REFERENCES person (id)
);
CREATE INDEX ix_poll_vote_poll_id ON poll_vote (poll_id);
