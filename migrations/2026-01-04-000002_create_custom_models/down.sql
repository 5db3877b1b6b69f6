DROP TABLE custom_model_versions;
DROP TABLE custom_models;
