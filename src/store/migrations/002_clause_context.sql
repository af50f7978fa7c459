-- the words around a clause that help find it (headings, the opening sentence of a split clause)
alter table clauses add column context text not null default '';
